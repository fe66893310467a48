// The dependency rule of docs/architecture.md ("Layers"), checked by `npm run lint:deps`:
//
//   core ← cliniko, tradify ← mapping ← sync ← stores, alerts ← worker ← cli
//
// An arrow points at what may be imported. Type-only imports count (tsPreCompilationDeps), so a
// cycle through `import type` is still a cycle.
//
// KNOWN VIOLATIONS: the back-arrows that exist today are listed, one by one, in
// .dependency-cruiser-known-violations.json, which the check ignores so that any NEW violation
// fails CI. The 1.0 layering work empties that file; regenerate it with
// `npx depcruise-baseline src --config .dependency-cruiser.mjs` only to REMOVE entries.

/** Files of the given layers (directories under src/). */
const inLayers = (...layers) => `^src/(${layers.join('|')})/`;

/** Leaf modules any layer may import. */
const anyLayerMayImport = ['^src/version\\.ts$'];

/** A rule: files of `layer` may import, inside src/, only the given paths. */
function onlyImports(layer, allowed, comment) {
  return {
    name: `${layer}-imports-only-below`,
    comment,
    severity: 'error',
    from: { path: inLayers(layer) },
    to: { path: '^src/', pathNot: [inLayers(layer), ...allowed, ...anyLayerMayImport] },
  };
}

const ports = {
  sync: '^src/sync/ports\\.ts$',
  tradify: '^src/tradify/port\\.ts$',
};

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No cycles, not even type-only ones: a cycle makes two modules one, and their layering meaningless.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves; an unresolved one would also hide its edge from the rules below.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
    onlyImports('core', [], 'core is the bottom layer: it knows nothing else in the package.'),
    onlyImports('cliniko', [inLayers('core')], 'The Cliniko client knows core only (not Tradify, not the engine).'),
    onlyImports('tradify', [inLayers('core')], 'The Tradify port and client know core only (not Cliniko, not the engine).'),
    onlyImports(
      'mapping',
      [inLayers('core', 'cliniko', 'tradify')],
      'mapping is pure: core helpers and the record types and schemas of the two clients.',
    ),
    {
      name: 'mapping-only-types-from-clients',
      comment:
        "From cliniko and tradify, mapping takes types (import type), the schemas and the port's capability reading (all pure), never client code.",
      severity: 'error',
      from: { path: inLayers('mapping') },
      to: {
        path: inLayers('cliniko', 'tradify'),
        pathNot: ['^src/cliniko/schemas/', '^src/tradify/schemas\\.ts$', '^src/tradify/capabilities\\.ts$'],
        dependencyTypesNot: ['type-only'],
      },
    },
    onlyImports(
      'sync',
      [inLayers('core', 'cliniko', 'tradify', 'mapping')],
      'The engine declares ports (StateStore, Alerter...) and never imports their implementations.',
    ),
    {
      name: 'stream-loop-not-from-estimate',
      comment: 'The run loop does not depend on the estimator; what both need lives below them.',
      severity: 'error',
      from: { path: '^src/sync/streams/' },
      to: { path: '^src/sync/estimate\\.ts$' },
    },
    {
      name: 'streams-independent',
      comment: 'One stream does not call into another; what both need lives in a shared module.',
      severity: 'error',
      from: { path: '^src/sync/streams/(patients|invoices)\\.ts$' },
      to: { path: '^src/sync/streams/(patients|invoices)\\.ts$' },
    },
    onlyImports(
      'stores',
      [inLayers('core'), ports.sync],
      'A store implements the StateStore port of sync; it knows core and that port only.',
    ),
    onlyImports(
      'alerts',
      [inLayers('core'), ports.sync],
      'An alerter implements the Alerter port of sync; it knows core and that port only.',
    ),
    onlyImports(
      'worker',
      [inLayers('core', 'cliniko', 'tradify', 'mapping', 'sync', 'stores', 'alerts')],
      'The worker composes the engine, the stores and the alerters; it knows nothing of the CLI or the fakes.',
    ),
    onlyImports(
      'testing',
      [inLayers('core'), ports.sync, ports.tradify],
      'The fakes are an independent reading of the APIs: core and the port types only.',
    ),
    {
      name: 'testing-not-client-schemas',
      comment: 'The fakes never import the client schemas, so a misreading in one is caught by the other.',
      severity: 'error',
      from: { path: inLayers('testing') },
      to: { path: ['^src/cliniko/schemas/', '^src/tradify/schemas\\.ts$'] },
    },
    {
      name: 'only-demo-uses-testing',
      comment: "Only the CLI's demo command may use the fakes; nothing else in src (tests and examples may).",
      severity: 'error',
      from: { path: '^src/', pathNot: [inLayers('testing'), '^src/cli/demo\\.ts$'] },
      to: { path: inLayers('testing') },
    },
    {
      name: 'no-ky-in-mapping-or-sync',
      comment: 'HTTP belongs to core and the two clients; mapping and sync see ports and records only.',
      severity: 'error',
      from: { path: inLayers('mapping', 'sync') },
      to: { path: '(^|/)node_modules/ky/' },
    },
    {
      name: 'no-node-builtins-in-mapping',
      comment: 'mapping is pure: no file system, network, process or clock from Node.',
      severity: 'error',
      from: { path: inLayers('mapping') },
      to: { dependencyTypes: ['core'] },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'types', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.d.ts', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
    skipAnalysisNotInRules: true,
  },
};
