/** The command's exit codes, as --help and the README list them. */
export const EXIT_OK = 0;
export const EXIT_START_FAILED = 1;
/** A shutdown cut short: a second signal, or the shutdown bound exceeded (close-with-grace uses 1 too). */
export const EXIT_FORCED = 1;
export const EXIT_BAD_CONFIG = 2;
