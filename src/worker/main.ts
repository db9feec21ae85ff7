// Worker entry: owns the model. (Filled in by the engine work.)
export {};
