// SPEC §8: quantities are normalised before summing. Grams and millilitres fold into kilograms and
// litres; every other unit stays its own total, because adding tablets to kilograms means nothing.
import type { Unit } from '@caravan/contracts';

/** The units quantities are summed in after normalisation (SPEC §8). */
export type NormalisedUnit = 'kg' | 'l' | 'tablets' | 'units' | 'persons';

/** A quantity in its normalised unit. */
export interface NormalisedQuantity {
  readonly quantity: number;
  readonly unit: NormalisedUnit;
}

/** Converts `g` to `kg` and `ml` to `l` (÷1000); other units pass through unchanged. */
export function normaliseQuantity(quantity: number, unit: Unit): NormalisedQuantity {
  switch (unit) {
    case 'g':
      return { quantity: quantity / 1000, unit: 'kg' };
    case 'ml':
      return { quantity: quantity / 1000, unit: 'l' };
    case 'kg':
    case 'l':
    case 'tablets':
    case 'units':
    case 'persons':
      return { quantity, unit };
  }
}
