/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Whether a port takes the frames the fast path redirects into it. A driver takes them through
 * its ndo_xdp_xmit; a veth only while its peer can receive them (an XDP program on the peer, or
 * GRO on): otherwise the kernel drops every frame redirected there, after the program counted it
 * forwarded. The kernel says which devices take them in its netdev generic netlink family
 * (NETDEV_A_DEV_XDP_FEATURES, NETDEV_XDP_ACT_NDO_XMIT; Linux 6.3 and later).
 */
#ifndef IPXR_REDIRECT_H
#define IPXR_REDIRECT_H

#include <stddef.h>

struct port_link;

/*
 * 1 when @l cannot take redirected frames, with the reason and the fix in @msg; 0 when it can,
 * or when the kernel does not tell (no netdev family: Linux before 6.3); a negative errno when
 * it could not be asked.
 */
int redirect_refused(const struct port_link *l, char *msg, size_t len);

#endif /* IPXR_REDIRECT_H */
