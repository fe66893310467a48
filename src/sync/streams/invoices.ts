/**
 * The invoices stream: Cliniko invoices (with their items) → Tradify invoices, walked through
 * the status table by the mapping's planner, resumably (`docs/architecture.md#status-transitions`).
 *
 * @module
 */
import { isConflictError, isMismatchedResponseError, isNotFoundError, isResponseValidationError, isUnprocessableEntityError, type ValidationIssue } from '../../core/errors.js';
import { linkedId } from '../../core/ids.js';
import type { ClinikoInvoice } from '../../cliniko/schemas/invoice.js';
import type { ClinikoInvoiceItem } from '../../cliniko/schemas/invoice-item.js';
import { liveItems, mapInvoice, invoiceExternalReference, type InvoiceMapping } from '../../mapping/invoice.js';
import { planInvoiceActions, type InvoiceAction, type InvoiceLinkInfo } from '../../mapping/status.js';
import { ownersOn } from '../../tradify/capabilities.js';
import { collect } from '../../tradify/pagination.js';
import type { TradifyInvoice, TradifyInvoiceInput, TradifyPayment, TradifyUnreadableRow } from '../../tradify/port.js';
import { dueDaysOf, loadDueDays } from '../due-days.js';
import { requireEcho } from '../echo.js';
import { payloadHash } from '../../core/hash.js';
import { idempotencyKey } from '../idempotency.js';
import type { LinkRecord } from '../ports.js';
import { existingByReference } from '../reference-lookup.js';
import { totalsDifferences, type TotalsDifference } from '../totals.js';
import type { PageWork } from './page-work.js';
import type { RunContext } from './context.js';
import { loadPatientStates, syncPatient } from './patient-sync.js';
import { invoiceProjection } from './projection.js';
import type { StreamHandler } from './runner.js';
import { patientsByIds, PendingTracker } from './source.js';

const STREAM = 'invoices';
/** Re-plans after a 409 `invalid_state` before giving the invoice to a person. */
const MAX_REPLANS = 3;
/** The `reference` our payments carry, so the planner can tell ours from a person's. */
const PAYMENT_REFERENCE_PREFIX = 'cliniko:invoice:';
/** The review opened when Tradify's totals differ from Cliniko's: the invoice is neither approved nor paid. */
const TOTALS_REVIEW = 'totals-differ';

type Plannable = {
  draft: TradifyInvoiceInput;
  mustStayDraft: boolean;
  liveItemCount: number;
  /** An unreadable Tradify row the draft's content may depend on (`resource:id`): the draft is not written while it is set. */
  waitsFor: string | undefined;
};

/** Internal: the Tradify invoice is not where the plan assumed; re-read and plan again. */
class ReplanSignal extends Error {
  override readonly name = 'ReplanSignal';
}

/** Internal: a Tradify row the invoice's plan needs could not be read; the invoice waits. */
class HeldByUnreadable extends Error {
  override readonly name = 'HeldByUnreadable';
  constructor(readonly waitsFor: string) {
    super(`waits for Tradify ${waitsFor}`);
  }
}

/** What the stream knows of an invoice before syncing it. */
export interface InvoiceState {
  link: LinkRecord | undefined;
  /** Hash of the last desired state written. */
  hash: string | undefined;
  /** The Cliniko status at our last write. */
  lastStatus: number | null;
}

/** Options of {@link syncInvoice}. */
export interface SyncInvoiceOptions {
  /** Plan even when the hash says nothing changed (settle sweep, replay, repair, reissue). */
  force?: boolean | undefined;
  /** A person chose to reissue. */
  reissueChosen?: boolean | undefined;
  /** The audit action for updates, e.g. `'replay'`, `'repair'`. */
  action?: string | undefined;
  /** Write only when the desired-state hash is this one (`apply()` of a saved plan). */
  expectedHash?: string | undefined;
  /** The Tradify invoice was edited by someone else since our last write (the conflict policy applies). */
  editedInTradify?: boolean | undefined;
  /** A person is resolving this invoice's review (`retry`, `reissue`): a problem met again is reported anew. */
  resolvingReview?: boolean | undefined;
}

/** What {@link syncInvoice} did. */
export type InvoiceOutcome = 'written' | 'unchanged' | 'skipped' | 'dead-lettered' | 'refused' | 'planned';

/** Loads links, hashes and last statuses of invoices in three store reads. */
export async function loadInvoiceStates(run: RunContext, ids: readonly string[]): Promise<Map<string, InvoiceState>> {
  const { store } = run.options;
  const opts = { signal: run.signal };
  const [links, hashes, statuses] = await Promise.all([
    store.links.getMany(run.accountId, 'invoice', ids, opts),
    store.hashes.getMany(run.accountId, 'invoice', ids, opts),
    store.hashes.getMany(run.accountId, 'invoice-status', ids, opts),
  ]);
  return new Map(
    ids.map((id) => {
      const status = statuses.get(id);
      return [id, { link: links.get(id), hash: hashes.get(id), lastStatus: status === undefined || status === '' ? null : Number.parseInt(status, 10) }];
    }),
  );
}

/**
 * Makes sure every patient of these invoices has a customer: patients not linked yet are
 * fetched in batches (`q[]=id:=a,b,…&q[]=archived_at:*`) and synced first.
 */
export async function ensureCustomers(run: RunContext, invoices: readonly ClinikoInvoice[], work: PageWork): Promise<void> {
  const ids = [...new Set(invoices.map((i) => linkedId(i.patient)).filter((id): id is string => id !== null))];
  const unknown = ids.filter((id) => !run.customerIds.has(id) && !run.filteredPatients.has(id));
  if (unknown.length === 0) return;
  const links = await run.options.store.links.getMany(run.accountId, 'patient', unknown, { signal: run.signal });
  for (const [id, link] of links) run.customerIds.set(id, link.tradifyId);
  // a patient that failed earlier in this run would fail again the same way
  const missing = unknown.filter((id) => !links.has(id) && !run.deadLettered.has(`patients:${id}`));
  if (missing.length === 0) return;
  const { records: patients } = await patientsByIds(run.options.cliniko, missing, run.signal);
  const states = await loadPatientStates(run, patients.map((p) => p.id));
  for (const patient of patients) {
    await syncPatient(run, patient, states.get(patient.id) ?? { link: undefined, hash: undefined }, work);
    work.markSeen('patients', { id: patient.id, updatedAt: patient.updated_at });
  }
}

/** The hash of everything that decides what Tradify should hold for an invoice. */
function desiredHash(draft: unknown, invoice: ClinikoInvoice): string {
  // `archived` only when set, so the hashes of every other invoice stay what they were
  const archived = invoice.archived_at === null ? {} : { archived: true };
  return payloadHash({ draft, status: invoice.status, deleted: invoice.deleted_at !== null, closedAt: invoice.closed_at, ...archived });
}

/** Sync one invoice with its items. Dead-letters bad data; lets `TargetDownError` and aborts through. */
export async function syncInvoice(
  run: RunContext,
  invoice: ClinikoInvoice,
  items: readonly ClinikoInvoiceItem[],
  state: InvoiceState,
  work: PageWork,
  options: SyncInvoiceOptions = {},
): Promise<InvoiceOutcome> {
  const patientId = linkedId(invoice.patient);
  const customerId = patientId === null ? undefined : run.customerIds.get(patientId);
  const ctx = await run.mappingContext();
  const mapping = mapInvoice(
    {
      invoice,
      items,
      customer: customerId === undefined ? null : { id: customerId, defaultInvoiceDueDays: await dueDaysOf(run, patientId!) },
      patientFiltered: patientId !== null && run.filteredPatients.has(patientId),
      taxes: await run.lookups.taxTable(),
      owners: ownersOn(run.options.tradify.capabilities, 'invoices') ? await run.lookups.owners() : undefined,
      reissue: state.link?.revision ?? 0,
    },
    run.options.mapping,
    ctx,
  );
  if (mapping.status === 'skipped' && !state.link) {
    run.skip(STREAM, invoice.id, mapping.reason);
    return 'skipped';
  }
  const patientHeldFor = patientId === null ? undefined : run.held.get(`patients:${patientId}`);
  if (mapping.status === 'failed' && mapping.reason === 'customer-missing' && patientHeldFor !== undefined) {
    run.hold(work, STREAM, invoice.id, invoice.updated_at, patientHeldFor);
    return 'dead-lettered';
  }
  if (mapping.status === 'failed') {
    const message = mapping.reason === 'customer-missing' ? `Invoice ${invoice.id} waits for its patient's customer` : `Invoice ${invoice.id} could not be mapped (${mapping.reason})`;
    run.deadLetter(work, STREAM, invoice.id, invoice.updated_at, mapping.reason, message, patientId && mapping.reason === 'customer-missing' ? [`patient:${patientId}`] : []);
    return 'dead-lettered';
  }
  const draft = mapping.status === 'mapped' ? mapping.draft : null;
  const hash = desiredHash(draft, invoice);
  if (options.expectedHash !== undefined && options.expectedHash !== hash) return 'refused';
  if (state.link && state.hash === hash && !options.force) {
    run.unchanged(STREAM, invoice.id);
    return 'unchanged';
  }
  const unreadableInvoice = run.unreadable.invoiceHold(invoice.id, state.link?.tradifyId);
  if (unreadableInvoice !== undefined) {
    run.hold(work, STREAM, invoice.id, invoice.updated_at, `invoices:${unreadableInvoice}`);
    return 'dead-lettered';
  }
  const plannable =
    mapping.status === 'mapped'
      ? { draft: mapping.draft, mustStayDraft: mapping.mustStayDraft, liveItemCount: mapping.liveItemCount, waitsFor: await unreadableDependency(run, invoice, mapping) }
      : null;
  if (run.dryRun) {
    const { actions } = planInvoiceActions({ invoice, items, mapping: plannable, current: null, payments: [], link: null }, run.options.mapping, ctx);
    run.planned.push({ stream: STREAM, clinikoId: invoice.id, updatedAt: invoice.updated_at, action: actions.map((a) => a.kind).join('+'), hash, reason: state.link ? 'linked' : 'new' });
    return 'planned';
  }
  const walker = new InvoiceWalker(run, invoice, items, state, work, plannable, options);
  try {
    await walker.walk();
  } catch (error) {
    handleInvoiceError(run, work, invoice, error);
    return 'dead-lettered';
  }
  work.hashes.push({ kind: 'invoice', clinikoId: invoice.id, hash }, { kind: 'invoice-status', clinikoId: invoice.id, hash: invoice.status === null ? '' : String(invoice.status) });
  work.hashes.push({ kind: 'invoice-last-change', clinikoId: invoice.id, hash: lastChange(invoice, items) });
  return walker.finish();
}

/**
 * The Tradify row a mapped draft's content may depend on that could not be read in this run, as
 * `resource:id`: a tax rate its lines may need, or its owner's staff member. `undefined` when
 * the draft may be written.
 */
async function unreadableDependency(run: RunContext, invoice: ClinikoInvoice, mapping: Extract<InvoiceMapping, { status: 'mapped' }>): Promise<string | undefined> {
  const rates = run.unreadable.unreadableTaxRates;
  if (rates.length > 0 && mapping.findings.some((f) => f.code === 'tax-rate-unmapped' || f.code === 'tax-rate-ambiguous')) return `tax-rates:${rates.join(',')}`;
  if (!run.options.tradify.capabilities.ownerStaffId) return undefined;
  const owners = await run.lookups.owners();
  const userId = owners.practitionerUser.get(linkedId(invoice.practitioner) ?? '');
  const email = userId === undefined ? undefined : owners.userEmail.get(userId);
  const staff = email === undefined ? undefined : run.unreadable.staffHold(email);
  return staff === undefined ? undefined : `staff:${staff}`;
}

function lastChange(invoice: ClinikoInvoice, items: readonly ClinikoInvoiceItem[]): string {
  return [invoice.updated_at, ...items.map((i) => i.updated_at)].sort().at(-1)!;
}

function handleInvoiceError(run: RunContext, work: PageWork, invoice: ClinikoInvoice, error: unknown): void {
  if (error instanceof HeldByUnreadable) {
    run.hold(work, STREAM, invoice.id, invoice.updated_at, error.waitsFor);
  } else if (isUnprocessableEntityError(error)) {
    run.deadLetter(work, STREAM, invoice.id, invoice.updated_at, 'unprocessable', `Tradify rejected invoice ${invoice.id}`, Object.keys(error.errors));
  } else if (isResponseValidationError(error)) {
    run.deadLetter(work, STREAM, invoice.id, invoice.updated_at, 'schema', `Tradify's answer for invoice ${invoice.id} did not match the schema`, error.issues.map((i) => i.path));
  } else if (isMismatchedResponseError(error)) {
    run.deadLetter(work, STREAM, invoice.id, invoice.updated_at, 'response-mismatch', `Tradify answered a ${error.resource} create for invoice ${invoice.id} with another record (${error.answeredId ?? 'no id'}); nothing was linked`, [`${error.resource}.${error.field}`]);
  } else if (isConflictError(error)) {
    run.review(work, STREAM, 'invoice', invoice.id, 'state-conflict', { reason: error.reason ?? null });
  } else {
    throw error;
  }
}

/** Walks one invoice through its planned actions, re-planning after a 409 `invalid_state`. */
class InvoiceWalker {
  readonly #run: RunContext;
  readonly #invoice: ClinikoInvoice;
  readonly #items: readonly ClinikoInvoiceItem[];
  readonly #state: InvoiceState;
  readonly #work: PageWork;
  readonly #mapping: Plannable | null;
  readonly #options: SyncInvoiceOptions;
  #current: TradifyInvoice | null = null;
  /** The last content read or written (kept after a payment, which changes neither lines nor header). */
  #known: TradifyInvoice | null = null;
  #tradifyId: string | undefined;
  #revision: number;
  #wrote: string[] = [];
  /** A review or a reasoned skip was recorded (counted there, not as unchanged). */
  #decided = false;
  /** Tradify's totals differ from Cliniko's: nothing more is done to this invoice in this walk. */
  #held = false;

  constructor(
    run: RunContext,
    invoice: ClinikoInvoice,
    items: readonly ClinikoInvoiceItem[],
    state: InvoiceState,
    work: PageWork,
    mapping: Plannable | null,
    options: SyncInvoiceOptions,
  ) {
    this.#run = run;
    this.#invoice = invoice;
    this.#items = items;
    this.#state = state;
    this.#work = work;
    this.#mapping = mapping;
    this.#options = options;
    this.#tradifyId = state.link?.tradifyId;
    this.#revision = state.link?.revision ?? 0;
  }

  async walk(): Promise<void> {
    this.#current = this.#tradifyId ? await this.#retrieve(this.#tradifyId) : null;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#execute(await this.#plan());
        return;
      } catch (error) {
        const moved = error instanceof ReplanSignal || (isConflictError(error) && error.existingId === undefined);
        if (!moved || attempt >= MAX_REPLANS) throw error;
        // the invoice moved under us (a crash, a person): re-read and plan the rest of the path
        this.#current = this.#tradifyId ? await this.#retrieve(this.#tradifyId) : null;
      }
    }
  }

  async #retrieve(id: string): Promise<TradifyInvoice | null> {
    try {
      return await this.#run.read(STREAM, () => this.#run.options.tradify.invoices.retrieve(id, { signal: this.#run.signal }));
    } catch (error) {
      if (isNotFoundError(error)) return null;
      throw error;
    }
  }

  async #plan(): Promise<InvoiceAction[]> {
    const run = this.#run;
    const payments: TradifyPayment[] = this.#current && this.#current.status === 'paid' ? await this.#payments(this.#current.id) : [];
    // a first-seen Closed invoice has no link but its status was recorded: keep it for 'closed-reopened'
    const link: InvoiceLinkInfo | null = this.#state.link || this.#state.lastStatus !== null
      ? {
          ourPaymentIds: payments.filter((p) => p.reference?.startsWith(PAYMENT_REFERENCE_PREFIX)).map((p) => p.id),
          superseded: await this.#superseded(),
          reissueCount: this.#revision,
          lastClinikoStatus: this.#state.lastStatus,
          reissueChosen: this.#options.reissueChosen,
        }
      : null;
    const plan = planInvoiceActions(
      { invoice: this.#invoice, items: this.#items, mapping: this.#mapping, current: this.#current, payments, link, editedInTradify: this.#options.editedInTradify },
      run.options.mapping,
      await run.mappingContext(),
    );
    return plan.actions;
  }

  /** The invoice's payments; a payment that cannot be read holds the invoice (it may be ours: planning without it could pay twice). */
  async #payments(invoiceId: string): Promise<TradifyPayment[]> {
    const run = this.#run;
    const unreadable: string[] = [];
    const onUnreadable = (row: TradifyUnreadableRow): void => {
      unreadable.push(run.unreadable.note(row));
    };
    const payments = await run.read(STREAM, () => collect(run.options.tradify.payments.list(invoiceId, { signal: run.signal, onUnreadable })));
    if (unreadable.length > 0) throw new HeldByUnreadable(`payments:${unreadable[0]}`);
    return payments;
  }

  async #superseded(): Promise<InvoiceLinkInfo['superseded']> {
    if (this.#revision === 0) return [];
    const history = await this.#run.options.store.links.history(this.#run.accountId, 'invoice', this.#invoice.id, { signal: this.#run.signal });
    const out: Array<{ id: string; status: TradifyInvoice['status'] }> = [];
    for (const old of history.filter((h) => h.status === 'superseded')) {
      const invoice = await this.#retrieve(old.tradifyId);
      if (invoice) out.push({ id: invoice.id, status: invoice.status });
    }
    return out;
  }

  async #execute(actions: readonly InvoiceAction[]): Promise<void> {
    for (const action of actions) {
      if (this.#held) return;
      await this.#do(action);
    }
  }

  async #do(action: InvoiceAction): Promise<void> {
    const run = this.#run;
    const tradify = run.options.tradify;
    const signal = run.signal;
    switch (action.kind) {
      case 'create':
        this.#requireReadableDependencies();
        await this.#create(action.input);
        await this.#checkWritten();
        return;
      case 'update':
        this.#requireReadableDependencies();
        this.#current = await run.write(STREAM, () => tradify.invoices.update(action.invoiceId, action.patch, { signal }));
        this.#note('update', Object.keys(action.patch));
        await this.#checkWritten();
        return;
      case 'delete-draft':
        await run.write(STREAM, () => tradify.invoices.delete(action.invoiceId, { signal }));
        if (action.invoiceId === this.#tradifyId) this.#current = null;
        this.#note('delete');
        return;
      case 'approve': {
        const id = action.invoiceId ?? this.#tradifyId!;
        const before = this.#current?.id === id ? this.#current : await this.#retrieve(id);
        if (before && !(await this.#totalsMatch(before))) return;
        this.#current = await run.write(STREAM, () => tradify.invoices.approve(id, { signal }));
        this.#note('approve');
        return;
      }
      case 'pay':
        await this.#pay(action.invoiceId ?? this.#tradifyId!, action.date);
        return;
      case 'delete-payment':
        await run.write(STREAM, () => tradify.payments.delete(action.invoiceId, action.paymentId, { signal }));
        this.#current = await this.#retrieve(action.invoiceId);
        this.#note('delete-payment');
        return;
      case 'cancel': {
        const cancelled = await run.write(STREAM, () => tradify.invoices.cancel(action.invoiceId, { signal }));
        if (action.invoiceId === this.#tradifyId) this.#current = cancelled;
        this.#note('cancel');
        return;
      }
      case 'review':
        this.#decided = true;
        run.review(this.#work, STREAM, 'invoice', this.#invoice.id, action.reason, { tradifyId: action.invoiceId });
        return;
      case 'skip':
        if (action.reason !== 'in-sync' && action.reason !== 'awaiting-settle' && action.reason !== 'awaiting-manual-approval') {
          this.#decided = true;
          run.skip(STREAM, this.#invoice.id, action.reason);
        }
        return;
    }
  }

  /** The draft's content is written only when every Tradify row it may depend on was read. */
  #requireReadableDependencies(): void {
    const waitsFor = this.#mapping?.waitsFor;
    if (waitsFor !== undefined) throw new HeldByUnreadable(waitsFor);
  }

  async #create(input: TradifyInvoiceInput): Promise<void> {
    const run = this.#run;
    const revision = revisionOf(input.externalReference, this.#invoice.id);
    // Re-creating an invoice whose linked Tradify record is gone must not reuse the first
    // create's key: the server would replay that create and hand back the deleted record's id.
    const replacing = this.#state.link?.tradifyId;
    const hash = payloadHash(replacing === undefined ? input : { input, replacing });
    const key = idempotencyKey({ accountId: run.accountId, stream: STREAM, recordId: this.#invoice.id, updatedAt: this.#invoice.updated_at, payloadHash: hash });
    let created: TradifyInvoice;
    const existing = await existingByReference(run, 'invoices', input.externalReference);
    if (existing !== undefined) this.#adopt(existing, revision);
    try {
      created = await run.write(STREAM, () => run.options.tradify.invoices.create(input, { idempotencyKey: key, signal: run.signal }));
    } catch (error) {
      if (!isConflictError(error) || error.existingId === undefined) throw error;
      this.#adopt(error.existingId, revision);
    }
    requireEcho('invoices', 'externalReference', input.externalReference, { id: created.id, echoed: created.externalReference });
    this.#current = created;
    this.#tradifyId = created.id;
    this.#revision = revision;
    this.#note('create');
  }

  /**
   * After a create or update, checks what the policy may later approve. A mapping that must
   * stay a draft (a line whose GST cannot be reproduced, no live line) already carries its
   * findings and is never approved, so it is not reported twice.
   */
  async #checkWritten(): Promise<void> {
    const mapping = this.#mapping;
    if (this.#current && mapping && !mapping.mustStayDraft && mapping.liveItemCount > 0) await this.#totalsMatch(this.#current);
  }

  /**
   * True when the invoice's totals agree with Cliniko's to the cent. Otherwise the invoice is
   * held: the rest of the plan (approve, pay) is dropped and a review names the figures.
   */
  async #totalsMatch(invoice: TradifyInvoice): Promise<boolean> {
    const sentLines = invoice.id === this.#tradifyId ? this.#mapping?.draft.lineItems.length : undefined;
    const differences = totalsDifferences(this.#invoice, liveItems(this.#items), invoice, sentLines);
    if (differences.length === 0) return true;
    this.#held = true;
    this.#decided = true;
    const run = this.#run;
    run.options.logger.warn("Tradify's invoice totals differ from Cliniko's; not approved or paid", { id: this.#invoice.id, tradifyId: invoice.id, fields: differences.map((d) => d.field).join(',') });
    if (this.#options.resolvingReview || !(await this.#totalsReviewOpen())) run.review(this.#work, STREAM, 'invoice', this.#invoice.id, TOTALS_REVIEW, totalsReviewDetail(invoice.id, differences));
    else if (this.#wrote.length === 0) run.skip(STREAM, this.#invoice.id, TOTALS_REVIEW);
    return false;
  }

  /** An open review of the same problem means it was reported already: no second review, no second alert. */
  async #totalsReviewOpen(): Promise<boolean> {
    const run = this.#run;
    const page = await run.options.store.reviews.list(run.accountId, { status: 'open', kind: 'invoice', recordId: this.#invoice.id, limit: 100, signal: run.signal });
    return page.items.some((r) => r.reasonCode === TOTALS_REVIEW);
  }

  /** Our reference already exists (a crash before the checkpoint): adopt that invoice and re-plan. */
  #adopt(tradifyId: string, revision: number): never {
    this.#tradifyId = tradifyId;
    this.#revision = revision;
    this.#work.audit.push({ runId: this.#run.runId, stream: STREAM, action: 'adopt', clinikoId: this.#invoice.id, tradifyId, reasonCode: 'duplicate-external-reference' });
    throw new ReplanSignal();
  }

  async #pay(invoiceId: string, date: string): Promise<void> {
    const run = this.#run;
    const current = this.#current && this.#current.id === invoiceId ? this.#current : await this.#retrieve(invoiceId);
    if (!current || !(await this.#totalsMatch(current))) return;
    const amount = current.amountDue;
    const key = idempotencyKey({ accountId: run.accountId, stream: 'payments', recordId: this.#invoice.id, updatedAt: this.#invoice.updated_at, payloadHash: payloadHash({ invoiceId, date, amount }) });
    const reference = `${PAYMENT_REFERENCE_PREFIX}${this.#invoice.id}`;
    const payment = await run.write(STREAM, () => run.options.tradify.payments.add(invoiceId, { date, amount, reference }, { idempotencyKey: key, signal: run.signal }));
    requireEcho('payments', 'invoiceId', invoiceId, { id: payment.id, echoed: payment.invoiceId });
    requireEcho('payments', 'reference', reference, { id: payment.id, echoed: payment.reference });
    this.#known = current;
    this.#current = null;
    this.#note('pay');
  }

  #note(action: string, fields?: string[]): void {
    this.#wrote.push(action);
    const run = this.#run;
    this.#work.audit.push({
      runId: run.runId,
      stream: STREAM,
      action: action === 'update' && this.#options.action ? this.#options.action : action,
      clinikoId: this.#invoice.id,
      tradifyId: this.#tradifyId,
      clinikoCreatedAt: this.#invoice.created_at,
      clinikoUpdatedAt: this.#invoice.updated_at,
      tradifyUpdatedAt: this.#current?.updatedAt ?? undefined,
      changedFields: fields,
    });
    const eventAction = ({ create: 'created', update: 'updated', delete: 'deleted', approve: 'approved', pay: 'paid', 'delete-payment': 'payment-deleted', cancel: 'cancelled' } as const)[action as 'create'];
    if (this.#tradifyId) run.events.emit('recordWritten', { runId: run.runId, stream: STREAM, clinikoId: this.#invoice.id, tradifyId: this.#tradifyId, action: eventAction ?? 'updated' });
  }

  /** Records the link and counts the invoice once. */
  finish(): 'written' | 'skipped' | 'unchanged' {
    const run = this.#run;
    if (this.#tradifyId) {
      this.#work.links.push({
        kind: 'invoice',
        clinikoId: this.#invoice.id,
        tradifyId: this.#tradifyId,
        revision: this.#revision,
        externalReference: invoiceExternalReference(this.#invoice.id, this.#revision),
        tradifyUpdatedAt: this.#current?.updatedAt ?? undefined,
      });
      const known = this.#current ?? (this.#known?.id === this.#tradifyId ? this.#known : null);
      if (known) this.#work.hashes.push({ kind: 'invoice-remote', clinikoId: this.#invoice.id, hash: payloadHash(invoiceProjection(known)) });
    }
    if (this.#wrote.length > 0) run.writtenInvoices.add(this.#invoice.id);
    if (this.#wrote.includes('create') && !this.#state.link) run.counters.created++;
    else if (this.#wrote.length > 0) run.counters.updated++;
    else if (!this.#decided) run.unchanged(STREAM, this.#invoice.id);
    return this.#wrote.length > 0 ? 'written' : this.#decided ? 'skipped' : 'unchanged';
  }
}

/** The review's detail: the Tradify id, the fields that differ, and both figures of each (money may be shown). */
function totalsReviewDetail(tradifyId: string, differences: readonly TotalsDifference[]): Record<string, string | string[]> {
  const detail: Record<string, string | string[]> = { tradifyId, fields: differences.map((d) => d.field) };
  for (const d of differences) {
    detail[`cliniko.${d.field}`] = d.cliniko;
    detail[`tradify.${d.field}`] = d.tradify;
  }
  return detail;
}

function revisionOf(reference: string | null | undefined, invoiceId: string): number {
  const prefix = `cliniko:invoice:${invoiceId}:r`;
  const suffix = reference?.startsWith(prefix) ? reference.slice(prefix.length) : '';
  return /^\d+$/.test(suffix) ? Number.parseInt(suffix, 10) : 0;
}

/** What the invoices stream loads for a page: states, items, and invoices whose items failed their schema. */
interface InvoicePage {
  states: Map<string, InvoiceState>;
  items: Map<string, ClinikoInvoiceItem[]>;
  rejected: Map<string, ValidationIssue[]>;
}

/** The invoices stream's handler for the shared page loop. */
export function invoicesHandler(): StreamHandler<ClinikoInvoice, InvoicePage> {
  let pending: PendingTracker | undefined;
  return {
    stream: STREAM,
    skipSeen: true,
    changes: (run, since) => {
      pending = new PendingTracker(run.counters.pending, STREAM);
      return pending.track(run.options.cliniko.invoices.changes({ since, signal: run.signal }));
    },
    prepare: async (run, rows, work) => {
      pending?.started(rows);
      const read = await run.items.read(rows.map((r) => r.id), run.signal);
      await ensureCustomers(run, rows, work);
      await loadDueDays(run, rows.map((r) => linkedId(r.patient)).filter((id): id is string => id !== null));
      const states = await loadInvoiceStates(run, rows.map((r) => r.id));
      return { states, items: read.byInvoice, rejected: read.rejected };
    },
    syncOne: async (run, row, work, page) => {
      const bad = page.rejected.get(row.id);
      if (bad) {
        run.deadLetter(work, STREAM, row.id, row.updated_at, 'schema', `An item of Cliniko invoice ${row.id} does not match the schema`, bad.map((i) => i.path));
        return;
      }
      await syncInvoice(run, row, page.items.get(row.id) ?? [], page.states.get(row.id) ?? NO_INVOICE_STATE, work);
    },
  };
}

/** The empty state of an invoice never synced. */
export const NO_INVOICE_STATE: InvoiceState = Object.freeze({ link: undefined, hash: undefined, lastStatus: null });
