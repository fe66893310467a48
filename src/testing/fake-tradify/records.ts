/**
 * The records the fake Tradify stores, shaped like the wire (`docs/tradify-contract.md#records`).
 * Invoice money is not stored: it is derived from the lines and payments each
 * time an invoice is read, so a tampered line always yields consistent totals.
 *
 * @module
 */
import type { FakeTaxMode } from './money.js';

/** The contract's Address. */
export interface FakeAddress {
  line1: string | null;
  line2: string | null;
  suburb: string | null;
  state: string | null;
  postcode: string | null;
  country: string | null;
}

/** A stored customer (wire shape; `ownerStaffId` is omitted on the wire when null). */
export interface FakeCustomer {
  id: string;
  name: string;
  contactName: string | null;
  email: string | null;
  phone: string | null;
  mobile: string | null;
  fax: string | null;
  physicalAddress: FakeAddress | null;
  postalAddress: FakeAddress | null;
  pricingLevelId: string | null;
  defaultInvoiceDueDays: number | null;
  taxMode: FakeTaxMode | null;
  externalReference: string | null;
  customFields: { custom1: string | null; custom2: string | null; custom3: string | null; custom4: string | null };
  ownerStaffId: string | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A stored invoice line: its inputs and the rate snapshot, without derived amounts. */
export interface FakeLineItem {
  id: string;
  type: 'labour' | 'material' | 'misc';
  itemCode: string | null;
  description: string;
  /** 2-place decimal string. */
  quantity: string;
  /** 2-place decimal string, may be negative. */
  unitPrice: string;
  /** Up to 4 places, 0–100. */
  discountPercent: string;
  taxRateId: string | null;
  /** The rate's percent when the line was written (a number on the wire), null without a rate. */
  taxRatePercent: number | null;
  accountCode: string | null;
}

/** The contract's invoice states. */
export type FakeInvoiceStatus = 'draft' | 'approved' | 'paid' | 'cancelled';

/** A stored invoice (the amounts are computed when it is read). */
export interface FakeStoredInvoice {
  id: string;
  invoiceNumber: string | null;
  status: FakeInvoiceStatus;
  customerId: string;
  siteId: string | null;
  jobIds: string[];
  reference: string | null;
  externalReference: string | null;
  invoiceDate: string;
  dueDate: string | null;
  taxMode: FakeTaxMode;
  currency: string;
  lineItems: FakeLineItem[];
  /** Credit notes applied (Xero); 2-place decimal string, tamperable. */
  amountCredited: string;
  ownerStaffId: string | null;
  sentAt: string | null;
  approvedAt: string | null;
  cancelledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A line as read: the stored line plus the contract's amounts. */
export interface FakeLineItemView extends FakeLineItem {
  amountExTax: string;
  taxAmount: string;
  amountIncTax: string;
}

/** An invoice as read, with the contract's totals. */
export interface FakeInvoice extends Omit<FakeStoredInvoice, 'lineItems'> {
  isOverdue: boolean;
  lineItems: FakeLineItemView[];
  subtotal: string;
  totalTax: string;
  total: string;
  amountPaid: string;
  amountDue: string;
}

/** The contract's Payment. */
export interface FakePayment {
  id: string;
  invoiceId: string;
  date: string;
  amount: string;
  method: string | null;
  reference: string | null;
  note: string | null;
  createdAt: string;
}

/** The contract's Staff (read-only on the wire). */
export interface FakeStaff {
  id: string;
  name: string;
  email: string | null;
  username: string;
  mobile: string | null;
  phone: string | null;
  accessLevel: 'login' | 'no_access';
  licenceNumber: string | null;
  active: boolean;
}

/** The contract's TaxRate; `rate` is a number in percent. */
export interface FakeTaxRate {
  id: string;
  name: string;
  rate: number;
  isDefault: boolean;
  isNoTax: boolean;
  active: boolean;
}
