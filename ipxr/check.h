/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipxr check: the invariants ipxr relies on, verified read-only (and mended by "check repair"
 * or by the next writer after an interrupted one, compile_recover()).
 */
#ifndef IPXR_CHECK_H
#define IPXR_CHECK_H

#include <stdbool.h>

/*
 * Diff the maps with the kernel table they are compiled from (compile_table()) and mend every
 * difference through compile_route()/compile_remove(): what "ipxr sync once" does, for a
 * writer recovering after one that died. 0 or an exit code with the error printed.
 */
int check_reconcile(void);

/*
 * The stand-in routes (IPXR_KERNEL_TABLE) of next hops that are not link-local ones in use:
 * removed when @repair. Returns 0 or an exit code (the count of strays is not an error).
 */
int check_standins(bool repair);

/*
 * Warn on stderr when no port runs the XDP object with the pinned maps, or a port runs one
 * with other maps of the same names (a pin removed and the object attached again): what a
 * write then changes is not what those ports forward by; or when a port the fast path
 * redirects into drops what it is given (redirect.h: a veth whose peer has neither XDP nor
 * GRO). Every writer calls it; it looks again at most every few seconds (ipxr sync) and says
 * nothing new twice.
 */
void check_ports_warn(void);

/*
 * For readers (stats show): warn of each port the fast path redirects into (ipxr_ports) that
 * drops the frames, as check_ports_warn() does. Nothing else is checked.
 */
void check_redirect_warn(void);

int do_check(int argc, char **argv);

#endif /* IPXR_CHECK_H */
