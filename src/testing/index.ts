/**
 * Test helpers for cliniko-tradify and for integrators: loopback fakes of Cliniko and the
 * Tradify contract, seeded data, fault injection and runner-agnostic conformance suites.
 * Importing this entry loads no test runner, no msw and no native module.
 *
 * @packageDocumentation
 */

// --- fake Cliniko (helper A2) -------------------------------------------------------------

// --- fake Tradify (helper B2) -------------------------------------------------------------

// --- conformance suites -------------------------------------------------------------------
