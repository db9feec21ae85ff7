// Benchmarks entry (`npm run bench`). (Filled in by the engine work.)
export {};
