import type { Browser, Page } from 'playwright-core';

/** A page in a fresh context that records uncaught errors, opened once the bridge is connected. */
export async function openUiPage(browser: Browser, address: string, options: { colorScheme?: 'light' | 'dark' } = {}): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ colorScheme: options.colorScheme ?? 'light', viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(address);
  await page.locator('[data-testid=connection][data-state=open]').waitFor({ state: 'attached' });
  return { page, errors };
}

/** Evaluates an expression in the page (a string: test files are compiled without the DOM's types). */
export const inPage = <T = unknown>(page: Page, expression: string) => page.evaluate(expression) as Promise<T>;
