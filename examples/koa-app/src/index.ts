// Placeholder until this package is built; replaced by its real entry point.
export {};
