// Drift panel entry. (Filled in by the panel work.)
export {};
