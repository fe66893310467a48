import { describe, expect, it } from 'vitest';
import { runTradifyPortConformance } from 'cliniko-tradify/testing';
import { realPort } from './conformance-port.js';

// The suite passing for the real client against the fake (which follows docs/tradify-contract.md).
runTradifyPortConformance({ describe, it, expect }, realPort, { title: 'HttpTradifyClient + fake Tradify conformance' });

// The same backend declared as not enforcing unique references: the reference checks follow the declaration.
runTradifyPortConformance(
  { describe, it: (name, body) => (/externalReference/.test(name) ? it(name, body) : undefined), expect },
  async () => {
    const subject = await realPort();
    return { port: { ...subject.port, capabilities: { ownerStaffId: true, uniqueExternalReference: false } }, close: subject.close };
  },
  { title: 'a port declaring uniqueExternalReference: false' },
);
