/**
 * msw request handlers that behave like the loopback fakes, for tests that mock `fetch`
 * rather than open a port. Needs the optional peer `msw`.
 *
 * @packageDocumentation
 */

// --- Cliniko handlers (helper A2) ---------------------------------------------------------

// --- Tradify handlers (helper B2) ---------------------------------------------------------
