// The 500 sent when a fetch handler fails before anything was written (both paths send the same).

/** Head of the 500 (Content-Length is added by the sender). */
export const INTERNAL_ERROR_HEAD: readonly string[] = ['Content-Type', 'text/plain; charset=utf-8'];
export const INTERNAL_ERROR_BODY = 'Internal Server Error\n';
