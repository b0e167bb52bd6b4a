import { useEffect, useRef } from 'react';

/**
 * A tiled watermark of the viewer's name and employee number over the chat views (a deterrent against photos
 * and screenshots leaving the organisation). It is drawn as an SVG background set by script, and a
 * MutationObserver restores it if someone removes the element, its style or its attributes in the page
 * (e.g. in devtools), so hiding it takes more than one CSS class.
 */
export function Watermark({ text }: { text: string }) {
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const parent = host.current?.parentElement;
    if (!parent) return;
    const image = `url("data:image/svg+xml;charset=utf-8,${encodeURIComponent(tileSvg(text))}")`;
    let layer: HTMLDivElement | null = null;
    const apply = () => {
      if (!layer || !layer.isConnected) {
        layer = document.createElement('div');
        parent.appendChild(layer);
      }
      layer.setAttribute('aria-hidden', 'true');
      layer.setAttribute('data-watermark', text);
      layer.removeAttribute('class');
      // Through the CSSOM, not a style attribute: the strict CSP (style-src 'self') refuses inline style text.
      layer.removeAttribute('style');
      for (const [property, value] of WATERMARK_STYLE) layer.style.setProperty(property, value, 'important');
      layer.style.setProperty('background-image', image, 'important');
    };
    apply();
    const observer = new MutationObserver(() => {
      observer.disconnect();
      apply();
      observe();
    });
    const observe = () => {
      observer.observe(parent, { childList: true });
      if (layer) observer.observe(layer, { attributes: true });
    };
    observe();
    return () => {
      observer.disconnect();
      layer?.remove();
    };
  }, [text]);

  return <div ref={host} hidden />;
}

const WATERMARK_STYLE: Array<[string, string]> = [
  ['position', 'absolute'],
  ['inset', '0'],
  ['pointer-events', 'none'],
  ['z-index', '5'],
  ['display', 'block'],
  ['visibility', 'visible'],
  ['opacity', '1'],
  ['background-repeat', 'repeat'],
];

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function tileSvg(text: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="260" height="160">` +
    `<text x="20" y="100" transform="rotate(-20 130 80)" fill="rgba(31,35,41,0.09)" ` +
    `font-family="sans-serif" font-size="15">${escapeXml(text)}</text></svg>`
  );
}
