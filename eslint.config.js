// ESLint flat config for the browser modules under webapp/static/js (`make test` runs it).
const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  js.configs.recommended,
  {
    files: ["webapp/static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: {
        ...globals.browser,
        L: "readonly"  // Leaflet (and its plugins) are vendored classic scripts
      }
    },
    // A local `t` or `el` would hide the shared helper of the same name.
    rules: {"no-shadow": "error"}
  },
  {
    files: ["eslint.config.js"],
    languageOptions: {sourceType: "commonjs", globals: globals.node}
  }
];
