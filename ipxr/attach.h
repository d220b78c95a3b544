/* SPDX-License-Identifier: GPL-2.0 */
/* ipxr port attach|detach: the XDP object on the ports a ports file names. */
#ifndef IPXR_ATTACH_H
#define IPXR_ATTACH_H

int do_port(int argc, char **argv);

#endif /* IPXR_ATTACH_H */
