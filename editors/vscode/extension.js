// Starts `factlint lsp` for `.rules` files (and rule test fixtures, for "go to the
// rule"). The server finds factlint.yaml from the workspace root.
const { workspace } = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = workspace.getConfiguration("factlint").get("path") || "factlint";
  const server = { command, args: ["lsp"] };
  client = new LanguageClient(
    "factlint",
    "factlint",
    { run: server, debug: server },
    {
      documentSelector: [
        { scheme: "file", language: "factlint" },
        { scheme: "file", pattern: "**/tests/**/*.{yaml,yml}" },
      ],
    },
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
