// Outside text (caller names, numbers, CRM fields, PBX messages) is only ever text: no
// {@html}, no innerHTML/outerHTML/insertAdjacentHTML/document.write anywhere in the windows.
import svelte from "eslint-plugin-svelte";
import globals from "globals";
import ts from "typescript-eslint";

const noMarkup = {
  "svelte/no-at-html-tags": "error",
  "no-restricted-properties": [
    "error",
    { property: "innerHTML", message: "Outside text is text: use textContent or a Svelte expression." },
    { property: "outerHTML", message: "Outside text is text: use textContent or a Svelte expression." },
    { property: "insertAdjacentHTML", message: "Outside text is text: use textContent or a Svelte expression." },
    { object: "document", property: "write", message: "Never write markup into the page." },
  ],
  "no-restricted-syntax": [
    "error",
    { selector: "CallExpression[callee.name='eval']", message: "No eval." },
    { selector: "NewExpression[callee.name='Function']", message: "No new Function." },
  ],
};

export default ts.config(
  { ignores: ["dist/", "node_modules/", "src/bindings/"] },
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser } },
    rules: noMarkup,
  },
  {
    files: ["**/*.svelte", "**/*.svelte.ts"],
    languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: [".svelte"] } },
    rules: noMarkup,
  },
);
