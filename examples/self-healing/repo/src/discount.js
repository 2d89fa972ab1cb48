/** Prices after a percentage discount, rounded to cents. */

function roundCents(amount) {
  return Math.round(amount * 100) / 100;
}

/** The price after taking `percent` off: applyDiscount(100, 10) === 90. */
function applyDiscount(price, percent) {
  if (!(percent >= 0 && percent <= 100)) throw new RangeError(`percent must be between 0 and 100, not ${percent}`);
  return roundCents(price * (percent / 100));
}

module.exports = { applyDiscount, roundCents };
