/**
 * The inspector page as text, apart from VS Code so that the browser tests load the very
 * same page: no inline script or style, one nonce per load, and a CSP that allows only
 * the given origin's files. Message content never appears in this HTML; the script
 * renders it as text after the page has loaded.
 */
export interface PageParams {
  /** The origin allowed for styles, fonts and images (the webview's `cspSource`). */
  cspSource: string;
  nonce: string;
  title: string;
  /** URL of a file of the built webview folder. */
  asset(name: string): string;
  /** Scripts to load, in order (the inspector last). */
  scripts?: readonly string[];
}

export function inspectorCsp(cspSource: string, nonce: string): string {
  // The UI toolkit adds <style> elements (a feature test) carrying the nonce of the
  // csp-nonce meta tag: styles are allowed from our files and with that nonce, not inline.
  return ["default-src 'none'", `script-src 'nonce-${nonce}'`, `style-src ${cspSource} 'nonce-${nonce}'`, `font-src ${cspSource}`, `img-src ${cspSource} data:`].join('; ');
}

export function renderInspectorPage(p: PageParams): string {
  const escaped = p.title.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const scripts = (p.scripts ?? ['inspector.js']).map((s) => `<script nonce="${p.nonce}" src="${p.asset(s)}"></script>`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${inspectorCsp(p.cspSource, p.nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<meta property="csp-nonce" content="${p.nonce}">
<link rel="stylesheet" href="${p.asset('codicon.css')}">
<link rel="stylesheet" href="${p.asset('inspector.css')}">
<link rel="stylesheet" href="${p.asset('activity.css')}">
<title>${escaped}</title>
</head>
<body>
<div id="app" role="application" aria-label="Message inspector"></div>
${scripts}
</body>
</html>`;
}
