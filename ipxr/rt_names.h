/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Names of routing protocols, tables and scopes, read from the files iproute2 reads, so ipxr
 * and ip print and accept the same words: /etc/iproute2/rt_protos and rt_protos.d/ *.conf
 * (else /usr/share/iproute2/...), rt_tables and rt_tables.d/ *.conf, rt_scopes; iproute2's own
 * names when no file has them.
 */
#ifndef IPXR_RT_NAMES_H
#define IPXR_RT_NAMES_H

#include <stddef.h>
#include <linux/types.h>

enum rt_names_kind {
	RT_NAMES_PROTO,		/* 0..255 */
	RT_NAMES_TABLE,		/* 0..2^32-1 */
	RT_NAMES_SCOPE,		/* 0..255 */
};

/* The name of @id, else the number in @buf. */
const char *rt_name(enum rt_names_kind kind, __u32 id, char *buf, size_t len);
/* A name or a number (decimal or 0x hex) to the id: 0 or -EINVAL. */
int rt_id(enum rt_names_kind kind, const char *word, __u32 *id);
void rt_names_free(void);

#endif /* IPXR_RT_NAMES_H */
