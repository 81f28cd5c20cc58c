/**
 * `instanceof` for the package's error classes that holds across its two bundles. An application
 * whose code imports the package while a CommonJS dependency requires it loads dist/index.js and
 * dist/index.cjs, each with its own class objects; an error thrown by one copy failed `instanceof`
 * against the other's class. A registered symbol marks the instances instead.
 */

export function markBrand(instance: object, brand: symbol): void {
  Object.defineProperty(instance, brand, { value: true });
}

export function hasBrand(value: unknown, brand: symbol): boolean {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/**
 * The body of a branded class's `static [Symbol.hasInstance]`: the brand decides for the class
 * itself; a subclass (`self`) keeps the ordinary prototype-chain answer.
 */
export function brandedInstanceOf(branded: abstract new (...args: never[]) => unknown, self: unknown, brand: symbol, value: unknown): boolean {
  if (self !== branded) return Function.prototype[Symbol.hasInstance].call(self, value);
  return hasBrand(value, brand);
}
