// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: a buffer of rtnetlink messages as ipxr sync receives them, each message
 * given to the decoders ipxr trusts with what the kernel sends: nl_route_parse() (routes:
 * dumps, lookups, sync's notifications), port_link_parse() (links: sync's port state),
 * nl_addr_parse() and nl_neigh_parse() (the router's addresses, its neighbour entries),
 * nl_netconf_parse() (a device's IPv4 forwarding or rp_filter setting).
 *
 * The harness walks the buffer itself, taking what the kernel guarantees (every nlmsg_len
 * within the buffer), and copies each message to a buffer of its own, of its aligned size: a
 * decoder reading past a message's end is AddressSanitizer's to report. Not mnl_cb_run(): libmnl 1.0.4's
 * mnl_nlmsg_ok() compares nlmsg_len as an int, and walks off the buffer on a length over 2 GB,
 * which no kernel sends.
 *
 *   build/fuzz/fuzz_netlink tests/fuzz/corpus/netlink
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "kroute.h"
#include "netlink.h"
#include "ports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int one_msg(const struct nlmsghdr *nlh, void *arg)
{
	struct port_link l;
	struct nl_neigh n;
	struct nl_addr a;
	struct kroute r;
	int ifindex;

	(void)arg;
	nl_route_parse(nlh, &r);
	port_link_parse(nlh, &l);
	nl_addr_parse(nlh, &a);
	nl_neigh_parse(nlh, &n);
	nl_netconf_parse(nlh, &ifindex);
	return MNL_CB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct nlmsghdr *nlh;
	size_t len;
	void *msg;

	while (size >= sizeof(*nlh)) {
		nlh = (const void *)data;
		len = nlh->nlmsg_len;
		if (len < sizeof(*nlh) || len > size)
			break;
		/* padded to NLMSG_ALIGN with zeroes as in the kernel's buffer: libmnl walks the
		 * attributes up to the aligned end */
		msg = calloc(1, NLMSG_ALIGN(len));
		if (!msg)
			break;
		memcpy(msg, data, len);
		one_msg(msg, NULL);
		free(msg);
		len = NLMSG_ALIGN(len);
		if (len >= size)
			break;
		data += len;
		size -= len;
	}
	return 0;
}
