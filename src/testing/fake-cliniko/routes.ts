/**
 * The fake Cliniko's routes (paths after `/v1`): generic list and single-record reads with
 * the archived/deleted rules (`docs/cliniko-api-notes.md#archived-and-deleted-records`), and the patient writes.
 *
 * @module
 */
import type { FakeClinikoDb } from './db.js';
import type { FaultController } from './faults.js';
import { FILTER_WHITELISTS, mentions, parseFilters, type FilterWhitelist, type ParsedFilter } from './filters.js';
import {
  envelopeLinks, parsePage, parseSort, type PageRequest, type PerPageOver100, type SortKey, type SortedViews,
} from './listing.js';
import { validatePatientWrite } from './patient-writes.js';
import { scanStart, type MatchCache } from './selection.js';
import {
  renderBusiness, renderInvoice, renderInvoiceItem, renderPatient, renderPractitioner, renderTax, renderUser,
} from './render.js';
import type {
  FakeBusinessRow, FakeInvoiceItemRow, FakeInvoiceRow, FakePatientRow, FakePractitionerRow, FakeTaxRow, FakeUserRow,
} from './records.js';
import type { BaseRow, FakeTable } from './table.js';

/** What a route answers. A JSON body is serialised by the caller. */
export interface RouteResult {
  status: number;
  json?: unknown;
}

/** What a route can see. */
export interface RouteContext {
  db: FakeClinikoDb;
  faults: FaultController;
  views: SortedViews;
  matches: MatchCache;
  perPageOver100: PerPageOver100;
  listCounts: Map<string, number>;
  /** `<origin>/v1` of the request, for absolute links. */
  base: string;
  /** The path after `/v1`. */
  path: string;
  query: URLSearchParams;
  /** Path captures, e.g. the id. */
  params: string[];
  /** The parsed JSON body (`{}` when absent or not JSON). */
  body: Record<string, unknown>;
}

type Handler = (ctx: RouteContext) => RouteResult | Promise<RouteResult>;

interface Route {
  method: string;
  pattern: RegExp;
  handler: Handler;
}

const message = (status: number, text: string): RouteResult => ({ status, json: { message: text } });
/** The 404 answer (body unverified in the reference). */
export const NOT_FOUND = (): RouteResult => message(404, 'Not Found');

interface ResourceSpec<Row extends BaseRow> {
  key: string;
  table: (db: FakeClinikoDb) => FakeTable<Row>;
  listWhitelist: FilterWhitelist;
  singleWhitelist: FilterWhitelist;
  render: (row: Row, base: string) => Record<string, unknown>;
}

function rawFilters(query: URLSearchParams): string[] {
  return [...query.getAll('q[]'), ...query.getAll('q')];
}

/** Which rows a request may see: archived and deleted rows only when their column is filtered on. */
function visibility(filters: readonly ParsedFilter[]): (row: object) => boolean {
  const showArchived = mentions(filters, 'archived_at');
  const showDeleted = mentions(filters, 'deleted_at');
  return (row) => {
    const record = row as { archived_at?: string | null; deleted_at?: string | null };
    if (!showArchived && record.archived_at != null) return false;
    if (!showDeleted && record.deleted_at != null) return false;
    for (const filter of filters) if (!filter.test(row)) return false;
    return true;
  };
}

/** Every matching row, in the view's order, from `start`. */
function matchingRows<Row extends BaseRow>(view: readonly Row[], start: number, matches: (row: Row) => boolean): Row[] {
  const out: Row[] = [];
  for (let i = start; i < view.length; i += 1) {
    const row = view[i] as Row;
    if (matches(row)) out.push(row);
  }
  return out;
}

/** The first `size` matching rows and the count of all, without keeping the rest. */
function firstPage<Row extends BaseRow>(view: readonly Row[], start: number, size: number, matches: (row: Row) => boolean): { page: Row[]; total: number } {
  const page: Row[] = [];
  let total = 0;
  for (let i = start; i < view.length; i += 1) {
    const row = view[i] as Row;
    if (!matches(row)) continue;
    if (total < size) page.push(row);
    total += 1;
  }
  return { page, total };
}

/**
 * Page 1 (a keyset reader's every request) is one allocation-free scan; later pages reuse
 * the cached matches of the same query, so a page-number reader pays for one scan in all.
 */
function selectPage<Row extends BaseRow>(ctx: RouteContext, table: FakeTable<Row>, keys: readonly SortKey[], whitelist: FilterWhitelist,
  filters: readonly ParsedFilter[], matches: (row: Row) => boolean, paging: PageRequest): { page: Row[]; total: number } {
  const view = ctx.views.rows(table, keys, whitelist);
  if (paging.page === 1) return firstPage(view, scanStart(view, keys, filters), paging.perPage, matches);
  const cacheKey = [table.singular, table.version, ctx.path, ctx.query.get('sort'), ctx.query.get('order'), ...rawFilters(ctx.query)].join('\u0000');
  const all = ctx.matches.get(cacheKey, () => matchingRows(view, scanStart(view, keys, filters), matches));
  const start = (paging.page - 1) * paging.perPage;
  return { page: all.slice(start, start + paging.perPage), total: all.length };
}

function listRoute<Row extends BaseRow>(spec: ResourceSpec<Row>, scope?: (row: Row, ctx: RouteContext) => boolean, omit?: string): Handler {
  const whitelist = omit ? Object.fromEntries(Object.entries(spec.listWhitelist).filter(([field]) => field !== omit)) : spec.listWhitelist;
  return async (ctx) => {
    const parsed = parseFilters(rawFilters(ctx.query), whitelist);
    if (!parsed.ok) return message(400, parsed.message);
    const keys = parseSort(ctx.query.get('sort'), ctx.query.get('order'), whitelist);
    if (typeof keys === 'string') return message(400, keys);
    const paging = parsePage(ctx.query.get('page'), ctx.query.get('per_page'), ctx.perPageOver100);
    if (typeof paging === 'string') return message(400, paging);
    const n = (ctx.listCounts.get(spec.key) ?? 0) + 1;
    ctx.listCounts.set(spec.key, n);
    const event = { resource: spec.key, n, page: paging.page, query: ctx.query };
    await ctx.faults.current.beforeList?.(event);
    const visible = visibility(parsed.filters);
    const matches = scope ? (row: Row) => scope(row, ctx) && visible(row) : visible;
    const { page, total } = selectPage(ctx, spec.table(ctx.db), keys, whitelist, parsed.filters, matches, paging);
    const start = (paging.page - 1) * paging.perPage;
    await ctx.faults.current.onPageServed?.({ ...event, ids: page.map((row) => row.id), totalEntries: total });
    return {
      status: 200,
      json: {
        [spec.key]: page.map((row) => spec.render(row, ctx.base)),
        total_entries: total,
        links: envelopeLinks(ctx.base, ctx.path, ctx.query, paging.page, start + paging.perPage < total),
      },
    };
  };
}

function getRoute<Row extends BaseRow>(spec: ResourceSpec<Row>): Handler {
  return (ctx) => {
    const parsed = parseFilters(rawFilters(ctx.query), spec.singleWhitelist);
    if (!parsed.ok) return message(400, parsed.message);
    const row = spec.table(ctx.db).find(ctx.params[0] ?? '');
    if (!row || !visibility(parsed.filters)(row)) return NOT_FOUND();
    return { status: 200, json: spec.render(row, ctx.base) };
  };
}

const PATIENTS: ResourceSpec<FakePatientRow> = {
  key: 'patients', table: (db) => db.patients.table, listWhitelist: FILTER_WHITELISTS.patients,
  singleWhitelist: FILTER_WHITELISTS.patient, render: renderPatient,
};
const INVOICES: ResourceSpec<FakeInvoiceRow> = {
  key: 'invoices', table: (db) => db.invoices.table, listWhitelist: FILTER_WHITELISTS.invoices,
  singleWhitelist: FILTER_WHITELISTS.invoice, render: renderInvoice,
};
const ITEMS: ResourceSpec<FakeInvoiceItemRow> = {
  key: 'invoice_items', table: (db) => db.invoiceItems.table, listWhitelist: FILTER_WHITELISTS.invoice_items,
  singleWhitelist: FILTER_WHITELISTS.invoice_item, render: renderInvoiceItem,
};
const USERS: ResourceSpec<FakeUserRow> = {
  key: 'users', table: (db) => db.users.table, listWhitelist: FILTER_WHITELISTS.users, singleWhitelist: FILTER_WHITELISTS.none, render: renderUser,
};
const PRACTITIONERS: ResourceSpec<FakePractitionerRow> = {
  key: 'practitioners', table: (db) => db.practitioners.table, listWhitelist: FILTER_WHITELISTS.practitioners,
  singleWhitelist: FILTER_WHITELISTS.none, render: renderPractitioner,
};
const BUSINESSES: ResourceSpec<FakeBusinessRow> = {
  key: 'businesses', table: (db) => db.businesses.table, listWhitelist: FILTER_WHITELISTS.businesses,
  singleWhitelist: FILTER_WHITELISTS.business, render: renderBusiness,
};
const TAXES: ResourceSpec<FakeTaxRow> = {
  key: 'taxes', table: (db) => db.taxes.table, listWhitelist: FILTER_WHITELISTS.taxes, singleWhitelist: FILTER_WHITELISTS.none, render: renderTax,
};

const createPatient: Handler = (ctx) => {
  const write = validatePatientWrite(ctx.body, true);
  if (!write.ok) return { status: 422, json: { message: 'Validation Failed', errors: write.errors } };
  return { status: 201, json: renderPatient(ctx.db.patients.insert(write.fields), ctx.base) };
};

const updatePatient: Handler = (ctx) => {
  const id = ctx.params[0] ?? '';
  if (!ctx.db.patients.table.find(id)) return NOT_FOUND();
  const write = validatePatientWrite(ctx.body, false);
  if (!write.ok) return { status: 422, json: { message: 'Validation Failed', errors: write.errors } };
  return { status: 200, json: renderPatient(ctx.db.patients.update(id, write.fields), ctx.base) };
};

const archivePatient: Handler = (ctx) => {
  const id = ctx.params[0] ?? '';
  if (!ctx.db.patients.table.find(id)) return NOT_FOUND();
  ctx.db.patients.archive(id);
  return { status: 204 };
};

const unarchivePatient: Handler = (ctx) => {
  const id = ctx.params[0] ?? '';
  if (!ctx.db.patients.table.find(id)) return NOT_FOUND();
  return { status: 200, json: renderPatient(ctx.db.patients.unarchive(id), ctx.base) };
};

const ID = '(\\d+)';
const route = (method: string, path: string, handler: Handler): Route => ({ method, pattern: new RegExp(`^${path}$`), handler });

const ROUTES: readonly Route[] = [
  route('GET', '/patients', listRoute(PATIENTS)),
  route('POST', '/patients', createPatient),
  route('GET', `/patients/${ID}`, getRoute(PATIENTS)),
  route('PATCH', `/patients/${ID}`, updatePatient),
  route('PUT', `/patients/${ID}`, updatePatient),
  route('DELETE', `/patients/${ID}`, archivePatient),
  route('POST', `/patients/${ID}/archive`, archivePatient),
  route('POST', `/patients/${ID}/unarchive`, unarchivePatient),
  route('GET', `/patients/${ID}/invoices`, listRoute(INVOICES, (row, ctx) => row.patient_id === ctx.params[0], 'patient_id')),
  route('GET', '/invoices', listRoute(INVOICES)),
  route('GET', `/invoices/${ID}`, getRoute(INVOICES)),
  route('GET', `/invoices/${ID}/invoice_items`, listRoute(ITEMS, (row, ctx) => row.invoice_id === ctx.params[0], 'invoice_id')),
  route('GET', '/invoice_items', listRoute(ITEMS)),
  route('GET', `/invoice_items/${ID}`, getRoute(ITEMS)),
  route('GET', '/users', listRoute(USERS)),
  route('GET', `/users/${ID}`, getRoute(USERS)),
  route('GET', '/user', (ctx) => ({ status: 200, json: renderUser(ctx.db.users.get(ctx.db.ownerUserId), ctx.base) })),
  route('GET', '/practitioners', listRoute(PRACTITIONERS, (row) => row.active)),
  route('GET', '/practitioners/inactive', listRoute(PRACTITIONERS, (row) => !row.active)),
  route('GET', `/practitioners/${ID}`, getRoute(PRACTITIONERS)),
  route('GET', '/businesses', listRoute(BUSINESSES)),
  route('GET', `/businesses/${ID}`, getRoute(BUSINESSES)),
  route('GET', '/taxes', listRoute(TAXES)),
  route('GET', `/taxes/${ID}`, getRoute(TAXES)),
  route('GET', '/settings', (ctx) => ({ status: 200, json: { ...ctx.db.settings, links: { self: `${ctx.base}/settings` } } })),
];

/**
 * Finds the route for a method and path (after `/v1`).
 *
 * @returns the handler and its captures; `405` when the path exists for other methods; `404` when it does not
 */
export function matchRoute(method: string, path: string): { handler: Handler; params: string[] } | 404 | 405 {
  let pathKnown = false;
  for (const candidate of ROUTES) {
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    pathKnown = true;
    if (candidate.method === method) return { handler: candidate.handler, params: match.slice(1) };
  }
  return pathKnown ? 405 : 404;
}
