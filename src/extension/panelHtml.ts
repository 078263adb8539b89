// The judge panel's page: the stylesheet and the script from media/, under a strict CSP (no
// inline script or style, scripts only with this page's nonce, images and fonts only from the
// extension). No `vscode` import, so a browser test can load the very page the panel shows.

export const PANEL_TITLE = "BR-RM Judge";

export function panelHtml(opts: { cspSource: string; nonce: string; media: (file: string) => string }): string {
  const { cspSource, nonce, media } = opts;
  const csp = ["default-src 'none'", `style-src ${cspSource}`, `img-src ${cspSource}`, `font-src ${cspSource}`, `script-src 'nonce-${nonce}'`].join("; ");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${media("panel.css")}">
<title>${PANEL_TITLE}</title>
</head>
<body>
<script nonce="${nonce}" src="${media("dist/panel.js")}"></script>
</body>
</html>`;
}
