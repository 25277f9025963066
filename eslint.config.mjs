// Lint rules checked by `npm test` (scripts/test.sh). Type-aware, so promise mistakes are caught:
// a floating promise in a provider or a wait loop is how an `up` hangs or fails with no message.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["node_modules/", "bin/", "dist/", ".pulumi-state/", "**/*.js", "**/*.mjs"] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        rules: {
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-misused-promises": "error",
            "@typescript-eslint/only-throw-error": "error",
            "@typescript-eslint/prefer-promise-reject-errors": "error",
            // Dynamic-provider methods return promises by contract, whether or not they await.
            "@typescript-eslint/require-await": "off",
            // Providers and the Redis layer load ioredis, dockerode and implementations with require() on purpose.
            "@typescript-eslint/no-require-imports": "off",
            "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true, allowArray: true }],
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
        },
    },
    {
        // Tests, the benchmark and scripts read JSON (engine events, stack exports, CLI output) as it comes.
        files: ["test/**/*.ts", "scripts/**/*.ts", "examples/**/*.ts"],
        rules: {
            "@typescript-eslint/no-unsafe-assignment": "off",
            "@typescript-eslint/no-unsafe-member-access": "off",
            "@typescript-eslint/no-unsafe-return": "off",
            "@typescript-eslint/no-unsafe-argument": "off",
            "@typescript-eslint/no-unsafe-call": "off",
        },
    },
    {
        // Plain CommonJS that runs in Pulumi's provider process before TypeScript can be loaded.
        files: ["**/*.cjs"],
        ...tseslint.configs.disableTypeChecked,
        languageOptions: {
            parserOptions: { projectService: false },
            sourceType: "commonjs",
            globals: { require: "readonly", module: "writable", exports: "writable", __dirname: "readonly", process: "readonly" },
        },
    },
    prettier,
);
