// `node -r ./scripts/lib/swc-register.cjs scripts/lib/x.ts`: runs a TypeScript script of this project
// in plain Node, transpiled by swc. About 0.1 s to start where `ts-node --transpile-only` takes 0.4-0.6 s
// (most of it loading the TypeScript compiler to read tsconfig.json), on every `npm run up` and `down`.
"use strict";
require("../../components/providers/registerTypeScript.cjs").registerTypeScript();
