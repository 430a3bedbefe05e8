/**
 * The layout rules for a kiosk screen, measured in the page: the primary action (and whatever else the
 * test names as a must — the way back, a headline) is inside the viewport and on top (a tap at its centre
 * reaches it); nothing sticks out of the viewport sideways or below, and the page
 * does not scroll; nothing a person must read or press is cut off by a box that hides its overflow; every touch
 * target is at least 48 px each way.
 */
import type { Page } from 'playwright-core';

export interface RequiredBox {
  selector: string;
  /** Its box, or null when it is not on the page. */
  box: { left: number; top: number; right: number; bottom: number; onTop: boolean } | null;
}

export interface LayoutReport {
  /** The primary action first, then the other musts, in the order asked. */
  required: RequiredBox[];
  viewport: { width: number; height: number };
  /** The page's scroll size: equal to the viewport when the page does not scroll. */
  scroll: { width: number; height: number };
  /** Elements reaching outside the viewport. */
  outside: string[];
  /** Controls, headings and alerts cut off by an ancestor that hides its overflow. */
  clipped: string[];
  /** Touch targets under 48 px. */
  small: string[];
}

export const MIN_TARGET_PX = 48;

/** Measures the page as it is now; `required`: CSS selectors of the primary action, then of other musts. */
export async function measureLayout(page: Page, required: string | readonly string[]): Promise<LayoutReport> {
  const selectors = typeof required === 'string' ? [required] : [...required];
  // A string, so this file needs no DOM types: it runs in the page.
  return page.evaluate<LayoutReport>(`(() => {
    const selectors = ${JSON.stringify(selectors)};
    const min = ${MIN_TARGET_PX};
    const w = window.innerWidth;
    const h = window.innerHeight;
    const slack = 0.5;
    const shown = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
    const label = (el) => {
      const test = el.getAttribute('data-test');
      const text = (el.innerText || el.getAttribute('aria-label') || '').trim().replace(/\\s+/g, ' ').slice(0, 30);
      return el.tagName.toLowerCase() + (test ? '[data-test=' + test + ']' : el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + (text ? ' "' + text + '"' : '');
    };
    const box = (el) => el.getBoundingClientRect();
    const sized = (b) => b.width > 0 && b.height > 0;
    const all = [...document.body.querySelectorAll('*')].filter((el) => shown(el) && sized(box(el)));

    const outside = all
      .filter((el) => { const b = box(el); return b.left < -slack || b.top < -slack || b.right > w + slack || b.bottom > h + slack; })
      .map((el) => { const b = box(el); return label(el) + ' at ' + [b.left, b.top, b.right, b.bottom].map(Math.round).join(',') ; });

    const important = all.filter((el) => el.matches('button, input, select, textarea, a[href], [role=button], [role=alert], [role=alertdialog], [role=dialog], h1, h2, h3, [data-test]'));
    const clipped = [];
    for (const el of important) {
      const b = box(el);
      for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
        const style = getComputedStyle(up);
        if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
        const c = up.getBoundingClientRect();
        if (b.left < c.left - slack || b.top < c.top - slack || b.right > c.right + slack || b.bottom > c.bottom + slack) {
          clipped.push(label(el) + ' cut off by ' + label(up));
          break;
        }
      }
    }

    const targets = all.filter((el) => el.matches('button, input, select, textarea, a[href], [role=button], summary'));
    const small = targets
      .filter((el) => { const b = box(el); return b.width < min || b.height < min; })
      .map((el) => { const b = box(el); return label(el) + ' ' + Math.round(b.width) + 'x' + Math.round(b.height); });

    const requiredBoxes = selectors.map((selector) => {
      const p = [...document.querySelectorAll(selector)].find(shown);
      if (!p) return { selector, box: null };
      const b = box(p);
      const hit = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
      return { selector, box: { left: b.left, top: b.top, right: b.right, bottom: b.bottom, onTop: !!hit && (hit === p || p.contains(hit)) } };
    });
    return {
      required: requiredBoxes,
      viewport: { width: w, height: h },
      scroll: { width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight },
      outside,
      clipped,
      small,
    };
  })()`);
}

/** Every rule broken, in words ([] when the layout is right). */
export function layoutFaults(report: LayoutReport, what: string): string[] {
  const faults: string[] = [];
  const { width, height } = report.viewport;
  report.required.forEach(({ selector, box: p }, i) => {
    const name = i === 0 ? `the primary action ${selector}` : selector;
    if (!p) faults.push(`${what}: ${name} is not on the page`);
    else {
      if (p.left < 0 || p.top < 0 || p.right > width || p.bottom > height) faults.push(`${what}: ${name} is outside the ${width}×${height} viewport at ${[p.left, p.top, p.right, p.bottom].map(Math.round).join(',')}`);
      if (!p.onTop) faults.push(`${what}: ${name} is covered by something else`);
    }
  });
  if (report.scroll.width > width) faults.push(`${what}: the page scrolls sideways (${report.scroll.width} > ${width})`);
  if (report.scroll.height > height) faults.push(`${what}: the page scrolls down (${report.scroll.height} > ${height})`);
  for (const o of report.outside) faults.push(`${what}: outside the viewport: ${o}`);
  for (const c of report.clipped) faults.push(`${what}: ${c}`);
  for (const s of report.small) faults.push(`${what}: touch target under ${MIN_TARGET_PX} px: ${s}`);
  return faults;
}
