/**
 * nodemailer is an optional peer: the main entry never reaches the email alerter, and the
 * `cliniko-tradify/email` entry loads nodemailer only when the first email is sent.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const STATIC = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g;
const DYNAMIC = /import\(\s*'([^']+)'\s*\)/g;

/** Every module reached from `entry`, and every package specifier, by static (and optionally dynamic) imports. */
function reach(entry: string, followDynamic: boolean): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(STATIC), ...(followDynamic ? [...text.matchAll(DYNAMIC)] : [])].map((m) => m[1]!);
    for (const specifier of specifiers) {
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else packages.add(specifier);
    }
  };
  visit(join(SRC, entry));
  return { files, packages };
}

describe('the email entry point', () => {
  it('is never reached from the main entry, even through dynamic imports', () => {
    const { files, packages } = reach('index.ts', true);
    expect([...files].map((f) => relative(SRC, f))).not.toContain(join('alerts', 'email.ts'));
    expect(packages).not.toContain('nodemailer');
    expect(files.size).toBeGreaterThan(50);
  });

  it('loads nodemailer only dynamically', () => {
    const eager = reach(join('alerts', 'email-index.ts'), false);
    expect(eager.packages).not.toContain('nodemailer');
    expect(reach(join('alerts', 'email-index.ts'), true).packages).toContain('nodemailer');
  });
});
