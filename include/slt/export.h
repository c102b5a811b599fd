/* slt/export.h — SLT_API, the mark of the public interface.
 *
 * libslt is compiled with -fvisibility=hidden: its internal functions (dmft_*, kn_*,
 * mc_*, statics_*, ...) are not exported from libslt.so. Every declaration in the
 * public headers (slt/status.h, slt/task.h, ...) carries SLT_API, which gives it default
 * visibility, so the shared library exports exactly the slt_ interface
 * (tests/cli/symbols.sh checks both directions). A new public function or variable is
 * declared `SLT_API ...` as well.
 * In programs that include the headers the attribute changes nothing. */
#ifndef SLT_EXPORT_H
#define SLT_EXPORT_H

#if defined(__GNUC__) && __GNUC__ >= 4
#define SLT_API __attribute__((visibility("default")))
#else
#define SLT_API
#endif

#endif
