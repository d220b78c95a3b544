/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Packet fixtures and BPF_PROG_TEST_RUN plumbing shared by tests/test_xdp.c and bench/nsperpkt.c.
 *
 * Frames are described by a struct (struct pg_spec) and serialised with every checksum right
 * (IPv4 header, UDP/TCP/ICMPv6 pseudo-header, ICMP); tests then break exactly the field they are
 * about. IPv6 frames may carry extension headers between the fixed header and the payload.
 * The IPv4 checksum code here is written from RFC 1071 over big-endian 16-bit words and shares
 * nothing with the program under test, so it can judge the program's incremental update.
 *
 * Also here: entering a private network namespace (it dies with the process), running `ip`,
 * opening bpf/xdp_router.o with pinning off, and reading the per-CPU counters.
 */
#ifndef IPXR_PKTGEN_H
#define IPXR_PKTGEN_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <linux/bpf.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_link.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ipxr_maps.h"

/* ------------------------------------------------------------------------------------------ */
/* Checksums (RFC 1071), computed on big-endian word values, independent of host byte order   */

/* One's complement sum of @len bytes at @buf added to @sum (not folded). */
static inline uint32_t pg_csum_add(uint32_t sum, const void *buf, size_t len)
{
	const uint8_t *b = buf;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (uint32_t)b[len - 1] << 8;
	return sum;
}

/* Fold a 32-bit accumulator to 16 bits with end-around carry. */
static inline uint16_t pg_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Header length for checksumming: ihl * 4, but never less than the fixed 20 bytes (tests build
 * headers with a bad ihl and still want their checksum right). */
static inline size_t pg_ipv4_hlen(const void *iph)
{
	size_t hlen = (size_t)(*(const uint8_t *)iph & 0xf) * 4;

	return hlen < 20 ? 20 : hlen;
}

/* The IPv4 header checksum (host-order value) the header at @iph must carry: computed over its
 * header bytes with the checksum field taken as zero. */
static inline uint16_t pg_ipv4_csum(const void *iph)
{
	const uint8_t *b = iph;
	size_t hlen = pg_ipv4_hlen(iph);
	uint32_t sum;

	sum = pg_csum_add(0, b, 10);			/* up to the checksum field */
	sum = pg_csum_add(sum, b + 12, hlen - 12);	/* after it */
	return (uint16_t)~pg_csum_fold(sum);
}

/* True if the header's ihl * 4 bytes sum to 0xffff (the checksum is right, in either of its
 * one's complement representations). */
static inline bool pg_ipv4_csum_ok(const void *iph)
{
	const uint8_t *b = iph;

	return pg_csum_fold(pg_csum_add(0, b, pg_ipv4_hlen(b))) == 0xffff;
}

static inline void pg_ipv4_csum_set(void *iph)
{
	uint8_t *b = iph;
	uint16_t c;

	b[10] = b[11] = 0;
	c = pg_ipv4_csum(b);
	b[10] = c >> 8;
	b[11] = c & 0xff;
}

static inline uint16_t pg_get16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline void pg_put16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = v >> 8;
	b[1] = v & 0xff;
}

/* ------------------------------------------------------------------------------------------ */
/* Frame fixtures                                                                              */

#define PG_FRAME_MAX	3072	/* test_run takes up to a page minus XDP head- and tailroom */

enum pg_kind {
	PG_IPV4,	/* Ethernet + IPv4 (+ options) + UDP/TCP/ICMP/raw payload */
	PG_ARP,		/* Ethernet + ARP request */
	PG_IPV6,	/* Ethernet + IPv6 (+ extension headers) + UDP/TCP/ICMPv6/raw payload */
};

#define PG_EXT_MAX	4	/* IPv6 extension headers per frame */

struct pg_spec {
	enum pg_kind kind;
	uint8_t dmac[ETH_ALEN];
	uint8_t smac[ETH_ALEN];
	uint16_t vlan;		/* non-zero: an 802.1Q tag with this VID before the EtherType */
	uint16_t ethertype;	/* non-zero: this EtherType instead of the kind's */
	/* IPv4, and IPv6 where said */
	uint8_t tos;		/* IPv6: traffic class */
	uint8_t ttl;		/* IPv6: hop limit */
	uint8_t proto;		/* IPPROTO_UDP, _TCP, _ICMP (v4), _ICMPV6 (v6); else raw */
	uint16_t id;
	uint16_t frag_off;	/* host order, flags and offset as on the wire */
	const char *src;	/* dotted quad; IPv6: any form inet_pton takes */
	const char *dst;
	uint8_t opts[40];	/* IPv4 options, optlen a multiple of 4 */
	uint8_t optlen;
	/* IPv6 only */
	uint32_t flow;		/* flow label (20 bits) */
	uint8_t icmp6_type;	/* 0: echo request (128) */
	uint8_t ext[PG_EXT_MAX];	/* extension headers in order: 0, 43, 44, 60 (8 bytes) */
	uint8_t ext_n;
	/* L4 */
	uint16_t sport, dport;	/* UDP/TCP ports; ICMP echo id and sequence */
	uint16_t payload;	/* bytes after the L4 header */
	uint8_t fill;		/* payload pattern seed */
	uint16_t ip_len;	/* non-zero: IPv4 total length (IPv6: 40 + payload length) wanted;
				 * sets payload from it */
	uint16_t frame_min;	/* pad the Ethernet frame to this length (bytes not in tot_len) */
};

/* data sits 2 bytes past an 8-byte boundary, so the IPv4 header after a 14-byte Ethernet header
 * is 4-byte aligned, as NET_IP_ALIGN arranges in drivers (and UBSan wants for struct iphdr). */
struct pg_frame {
	size_t len;
	size_t l3;		/* offset of the network header */
	uint16_t align;
	uint8_t data[PG_FRAME_MAX];
} __attribute__((aligned(8)));

struct pg_ipv6hdr {
	uint8_t vtc_flow[4];
	uint16_t payload_len;
	uint8_t nexthdr;
	uint8_t hop_limit;
	uint8_t saddr[16];
	uint8_t daddr[16];
} __attribute__((packed));

struct pg_arp {
	uint16_t htype, ptype;
	uint8_t hlen, plen;
	uint16_t op;
	uint8_t sha[ETH_ALEN];
	uint8_t spa[4];
	uint8_t tha[ETH_ALEN];
	uint8_t tpa[4];
} __attribute__((packed));

static inline uint32_t pg_addr(const char *s)
{
	struct in_addr a;

	if (!s || inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "pktgen: bad address \"%s\"\n", s ? s : "(null)");
		abort();
	}
	return a.s_addr;
}

static inline void pg_addr6(const char *s, uint8_t out[16])
{
	if (!s || inet_pton(AF_INET6, s, out) != 1) {
		fprintf(stderr, "pktgen: bad IPv6 address \"%s\"\n", s ? s : "(null)");
		abort();
	}
}

static inline struct iphdr *pg_iph(struct pg_frame *f)
{
	return (struct iphdr *)(f->data + f->l3);
}

static inline struct pg_ipv6hdr *pg_ip6h(struct pg_frame *f)
{
	return (struct pg_ipv6hdr *)(f->data + f->l3);
}

/* The L4 header the builder writes: ICMP only in IPv4, ICMPv6 only in IPv6, else raw bytes. */
static inline size_t pg_l4_len(const struct pg_spec *s)
{
	switch (s->proto) {
	case IPPROTO_UDP:
		return sizeof(struct udphdr);
	case IPPROTO_TCP:
		return sizeof(struct tcphdr);
	case IPPROTO_ICMP:
		return s->kind == PG_IPV6 ? 0 : sizeof(struct icmphdr);
	case IPPROTO_ICMPV6:
		return s->kind == PG_IPV6 ? sizeof(struct icmp6hdr) : 0;
	default:
		return 0;
	}
}

/*
 * The L4 header at @l4 (pg_l4_len bytes, followed by @payload bytes already written) with its
 * checksum: @pseudo is the pseudo-header's unfolded sum (0 for ICMP, which has none).
 */
static inline void pg_l4_fill(uint8_t *l4, const struct pg_spec *s, size_t l4len, size_t payload,
			      uint32_t pseudo)
{
	uint32_t sum = pseudo;
	uint16_t c;

	if (!l4len)
		return;
	if (s->proto == IPPROTO_UDP) {
		struct udphdr *u = (void *)l4;

		u->source = htons(s->sport);
		u->dest = htons(s->dport);
		u->len = htons(l4len + payload);
	} else if (s->proto == IPPROTO_TCP) {
		struct tcphdr *t = (void *)l4;

		t->source = htons(s->sport);
		t->dest = htons(s->dport);
		t->seq = htonl(0x01020304);
		t->ack_seq = htonl(0x05060708);
		t->doff = sizeof(*t) / 4;
		t->ack = 1;
		t->psh = 1;
		t->window = htons(65535);
	} else {
		/* ICMP and ICMPv6 share the layout: type, code, checksum, id, sequence */
		l4[0] = s->proto == IPPROTO_ICMP ? ICMP_ECHO :
			s->icmp6_type ? s->icmp6_type : ICMPV6_ECHO_REQUEST;
		pg_put16(l4 + 4, s->sport);
		pg_put16(l4 + 6, s->dport);
	}
	c = (uint16_t)~pg_csum_fold(pg_csum_add(sum, l4, l4len + payload));
	if (s->proto == IPPROTO_UDP && !c)
		c = 0xffff;	/* RFC 768: zero means "no checksum" */
	pg_put16(l4 + (s->proto == IPPROTO_UDP ? 6 : s->proto == IPPROTO_TCP ? 16 : 2), c);
}

/*
 * One 8-byte IPv6 extension header of type @type followed by @next: Hop-by-Hop with a router
 * alert (as MLD sends it), destination options with padding, a routing header of an
 * experimental type (RFC 4727) with no segments left, or a first fragment (M set).
 */
static inline void pg_ext6(uint8_t *e, uint8_t type, uint8_t next)
{
	memset(e, 0, 8);
	e[0] = next;
	switch (type) {
	case IPPROTO_HOPOPTS:
		e[2] = 5;	/* router alert, 2 bytes, value 0 (MLD) */
		e[3] = 2;
		e[6] = 1;	/* PadN, 0 bytes */
		break;
	case IPPROTO_DSTOPTS:
		e[2] = 1;	/* PadN, 4 bytes */
		e[3] = 4;
		break;
	case IPPROTO_ROUTING:
		e[2] = 253;	/* routing type */
		break;
	case IPPROTO_FRAGMENT:
		pg_put16(e + 2, 0x0001);	/* offset 0, M */
		e[4] = 0x12; e[5] = 0x34; e[6] = 0x56; e[7] = 0x78;
		break;
	}
}

/* Serialise @s into @f. Returns the frame length. */
static inline size_t pg_build(struct pg_frame *f, const struct pg_spec *s)
{
	uint8_t *p = f->data;
	size_t off = 0, l4off, l4len = 0, i, payload;
	uint16_t l3proto;

	memset(f, 0, sizeof(*f));
	memcpy(p, s->dmac, ETH_ALEN);
	memcpy(p + ETH_ALEN, s->smac, ETH_ALEN);
	off = 2 * ETH_ALEN;
	l3proto = s->kind == PG_ARP ? ETH_P_ARP : s->kind == PG_IPV6 ? ETH_P_IPV6 : ETH_P_IP;
	if (s->ethertype)
		l3proto = s->ethertype;
	if (s->vlan) {
		pg_put16(p + off, ETH_P_8021Q);
		pg_put16(p + off + 2, s->vlan & 0xfff);
		off += 4;
	}
	pg_put16(p + off, l3proto);
	off += 2;
	f->l3 = off;

	if (s->kind == PG_ARP) {
		struct pg_arp *a = (void *)(p + off);
		uint32_t spa = pg_addr(s->src), tpa = pg_addr(s->dst);

		a->htype = htons(1);
		a->ptype = htons(ETH_P_IP);
		a->hlen = ETH_ALEN;
		a->plen = 4;
		a->op = htons(1);
		memcpy(a->sha, s->smac, ETH_ALEN);
		memcpy(a->spa, &spa, 4);
		memcpy(a->tpa, &tpa, 4);
		off += sizeof(*a);
	} else if (s->kind == PG_IPV6) {
		struct pg_ipv6hdr *h = (void *)(p + off);
		size_t ext = (size_t)s->ext_n * 8;
		uint32_t sum;

		l4len = pg_l4_len(s);
		payload = s->payload;
		if (s->ip_len)
			payload = s->ip_len - sizeof(*h) - ext - l4len;
		if (s->ext_n > PG_EXT_MAX ||
		    off + sizeof(*h) + ext + l4len + payload > PG_FRAME_MAX) {
			fprintf(stderr, "pktgen: frame too long\n");
			abort();
		}
		h->vtc_flow[0] = 0x60 | s->tos >> 4;
		h->vtc_flow[1] = (uint8_t)(s->tos << 4 | (s->flow >> 16 & 0xf));
		h->vtc_flow[2] = (uint8_t)(s->flow >> 8);
		h->vtc_flow[3] = (uint8_t)s->flow;
		h->payload_len = htons(ext + l4len + payload);
		h->nexthdr = s->ext_n ? s->ext[0] : s->proto;
		h->hop_limit = s->ttl;
		pg_addr6(s->src, h->saddr);
		pg_addr6(s->dst, h->daddr);
		l4off = off + sizeof(*h);
		for (i = 0; i < s->ext_n; i++, l4off += 8)
			pg_ext6(p + l4off, s->ext[i], i + 1 < s->ext_n ? s->ext[i + 1] : s->proto);
		for (i = 0; i < payload; i++)
			p[l4off + l4len + i] = (uint8_t)(s->fill + i * 7);
		/* RFC 8200 8.1: addresses, upper-layer length and next header, as 32-bit words */
		sum = pg_csum_add(0, h->saddr, 32);
		sum += (uint32_t)(l4len + payload);
		sum += s->proto;
		pg_l4_fill(p + l4off, s, l4len, payload, sum);
		off = l4off + l4len + payload;
	} else {
		struct iphdr *iph = (void *)(p + off);
		size_t hlen = sizeof(*iph) + s->optlen;

		l4len = pg_l4_len(s);
		payload = s->payload;
		if (s->ip_len)
			payload = s->ip_len - hlen - l4len;
		if (off + hlen + l4len + payload > PG_FRAME_MAX) {
			fprintf(stderr, "pktgen: frame too long\n");
			abort();
		}
		iph->version = 4;
		iph->ihl = hlen / 4;
		iph->tos = s->tos;
		iph->tot_len = htons(hlen + l4len + payload);
		iph->id = htons(s->id);
		iph->frag_off = htons(s->frag_off);
		iph->ttl = s->ttl;
		iph->protocol = s->proto;
		iph->saddr = pg_addr(s->src);
		iph->daddr = pg_addr(s->dst);
		memcpy(iph + 1, s->opts, s->optlen);
		pg_ipv4_csum_set(iph);
		l4off = off + hlen;
		for (i = 0; i < payload; i++)
			p[l4off + l4len + i] = (uint8_t)(s->fill + i * 7 + 1);

		if (s->proto == IPPROTO_UDP || s->proto == IPPROTO_TCP) {
			uint32_t sum = pg_csum_add(0, &iph->saddr, 8);

			sum += s->proto;
			sum += l4len + payload;
			pg_l4_fill(p + l4off, s, l4len, payload, sum);
		} else {
			pg_l4_fill(p + l4off, s, l4len, payload, 0);
		}
		off = l4off + l4len + payload;
	}
	f->len = off;
	if (f->len < s->frame_min)
		f->len = s->frame_min;	/* trailing zero padding, as a NIC pads short frames */
	return f->len;
}

/* ------------------------------------------------------------------------------------------ */
/* Deterministic PRNG (splitmix64)                                                             */

static inline uint64_t pg_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* ------------------------------------------------------------------------------------------ */
/* The program's outcomes, from the X-macro in ipxr_maps.h                                     */

#define PG_STAT_NAME(id, name, action) [IPXR_STAT_##id] = name,
#define PG_STAT_ACTION(id, name, action) [IPXR_STAT_##id] = action,
static const char *const pg_stat_name[IPXR_STAT_MAX] = { IPXR_STAT_LIST(PG_STAT_NAME) };
static const int pg_stat_action[IPXR_STAT_MAX] = { IPXR_STAT_LIST(PG_STAT_ACTION) };
#undef PG_STAT_NAME
#undef PG_STAT_ACTION

static inline const char *pg_xdp_action_name(int act)
{
	switch (act) {
	case XDP_ABORTED: return "XDP_ABORTED";
	case XDP_DROP: return "XDP_DROP";
	case XDP_PASS: return "XDP_PASS";
	case XDP_TX: return "XDP_TX";
	case XDP_REDIRECT: return "XDP_REDIRECT";
	default: return "XDP_?";
	}
}

/* ------------------------------------------------------------------------------------------ */
/* Private network namespace and `ip`                                                          */

static int pg_verbose;

/* Run a shell command (normally `ip ...`) in our namespace; returns its exit status. */
static inline int __attribute__((format(printf, 1, 2))) pg_sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (pg_verbose)
		printf("# + %s\n", cmd);
	fflush(stdout);
	rc = system(cmd);
	if (rc == -1 || !WIFEXITED(rc))
		return -1;
	rc = WEXITSTATUS(rc);
	if (rc)
		printf("# command failed (exit %d): %s\n", rc, cmd);
	return rc;
}

/* Write a sysctl under /proc/sys of the current network namespace. */
static inline int pg_sysctl(const char *path, const char *val)
{
	char p[256];
	int fd, ok;

	snprintf(p, sizeof(p), "/proc/sys/%s", path);
	fd = open(p, O_WRONLY);
	if (fd < 0) {
		printf("# open %s: %s\n", p, strerror(errno));
		return -1;
	}
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	if (!ok)
		printf("# write %s: %s\n", p, strerror(errno));
	close(fd);
	return ok ? 0 : -1;
}

/* Move this process into a new network namespace of its own: it disappears when we exit, with
 * every device, route and neighbour entry made in it. */
static inline int pg_netns_enter(void)
{
	if (unshare(CLONE_NEWNET)) {
		printf("# unshare(CLONE_NEWNET): %s (needs root)\n", strerror(errno));
		return -1;
	}
	return pg_sh("ip link set dev lo up");
}

/* A private namespace set up by @n shell commands, IPv4 and IPv6 forwarding on (the program
 * needs it: bpf_fib_lookup answers FWD_DISABLED otherwise). */
static inline int pg_netns_setup(const char *const *cmds, size_t n)
{
	size_t i;

	if (pg_netns_enter())
		return -1;
	for (i = 0; i < n; i++)
		if (pg_sh("%s", cmds[i]))
			return -1;
	return pg_sysctl("net/ipv4/ip_forward", "1") ||
	       pg_sysctl("net/ipv4/conf/all/forwarding", "1") ||
	       pg_sysctl("net/ipv6/conf/all/forwarding", "1") ? -1 : 0;
}

/*
 * A test_run with repeat > 1 swaps its program into the XDP dispatcher and out again, and each
 * swap waits for an RCU grace period (tens of milliseconds on a busy machine): a program that
 * is already in the dispatcher, attached in native mode to a device, is not swapped. So @prog_fd
 * is attached to one end of a new veth pair @name/@name"p" in this process's namespace (see
 * pg_netns_enter(); they go with it). Calls then follow each other with no idle CPU between
 * them, which makes a hot-cache call cheaper too (about 20 ns of 60 for a forwarded frame here):
 * compare figures taken the same way only.
 */
static inline int pg_dispatcher_hold(int prog_fd, const char *name)
{
	int idx;

	if (pg_sh("ip link add %s type veth peer name %sp && ip link set dev %s up && "
		  "ip link set dev %sp up", name, name, name, name))
		return -1;
	idx = (int)if_nametoindex(name);
	if (!idx || bpf_xdp_attach(idx, prog_fd, XDP_FLAGS_DRV_MODE, NULL)) {
		printf("# native XDP on %s: %s\n", name, strerror(errno));
		return -1;
	}
	return 0;
}

static inline int pg_ifindex(const char *name)
{
	int idx = (int)if_nametoindex(name);

	if (!idx)
		printf("# no device %s\n", name);
	return idx;
}

static inline int pg_ifmac(const char *name, uint8_t mac[ETH_ALEN])
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc;

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	rc = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	if (rc)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	return 0;
}

static inline void pg_mac_str(const uint8_t *m, char *buf)
{
	sprintf(buf, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* CLOCK_MONOTONIC_COARSE is the clock of bpf_ktime_get_coarse_ns(). */
static inline uint64_t pg_coarse_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static inline double pg_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------------------------ */
/* The object under test                                                                       */

#define PG_NPROGS 2

struct pg_router {
	struct bpf_object *obj;
	int prog_fd[PG_NPROGS];
	const char *sec[PG_NPROGS];	/* "xdp_router", "prog" */
	int config, route4, nexthop, neigh4, stats, nh_stats, local4;
	int route6, neigh6, local6;
	int ports;
	int port_tab;		/* -1: an object without ipxr_port_tab */
	int ncpus;
};

static int pg_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char buf[1024], *line, *save;

	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !pg_verbose))
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("# libbpf: %s\n", line);
	return 0;
}

/* bpf/xdp_router.o from $IPXR_BPF_OBJ, else relative to the executable (tests/ or bench/). */
static inline const char *pg_obj_path(void)
{
	static char path[PATH_MAX + 32];
	char exe[PATH_MAX];
	ssize_t n;
	char *slash;

	if (getenv("IPXR_BPF_OBJ"))
		return getenv("IPXR_BPF_OBJ");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			snprintf(path, sizeof(path), "%s/../bpf/xdp_router.o", exe);
			if (access(path, R_OK) == 0)
				return path;
		}
	}
	return "bpf/xdp_router.o";
}

static inline int pg_map_fd(struct pg_router *r, const char *name)
{
	int fd = bpf_object__find_map_fd_by_name(r->obj, name);

	if (fd < 0)
		printf("# map %s not in the object\n", name);
	return fd;
}

/*
 * Open and load the object with pinning off (each run gets maps of its own, nothing is left in
 * a bpffs) and both programs typed XDP: neither "xdp_router" nor "prog" is a section name libbpf
 * knows.
 */
static inline int pg_router_load(struct pg_router *r, const char *path)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	int err, i;

	memset(r, 0, sizeof(*r));
	libbpf_set_print(pg_libbpf_print);
	r->obj = bpf_object__open_file(path, NULL);
	if (!r->obj) {
		printf("# open %s: %s\n", path, strerror(errno));
		return -1;
	}
	bpf_object__for_each_map(map, r->obj) {
		err = bpf_map__set_pin_path(map, NULL);
		if (err) {
			printf("# unpin %s: %s\n", bpf_map__name(map), strerror(-err));
			return -1;
		}
	}
	bpf_object__for_each_program(prog, r->obj) {
		bpf_program__set_type(prog, BPF_PROG_TYPE_XDP);
		bpf_program__set_expected_attach_type(prog, BPF_XDP);
	}
	err = bpf_object__load(r->obj);
	if (err) {
		printf("# load %s: %s\n", path, strerror(-err));
		return -1;
	}
	r->sec[0] = "xdp_router";
	r->sec[1] = "prog";
	for (i = 0; i < PG_NPROGS; i++) {
		r->prog_fd[i] = -1;
		bpf_object__for_each_program(prog, r->obj)
			if (!strcmp(bpf_program__section_name(prog), r->sec[i]))
				r->prog_fd[i] = bpf_program__fd(prog);
		if (r->prog_fd[i] < 0) {
			printf("# no program in section %s\n", r->sec[i]);
			return -1;
		}
	}
	r->config = pg_map_fd(r, IPXR_MAP_CONFIG);
	r->route4 = pg_map_fd(r, IPXR_MAP_ROUTE4);
	r->nexthop = pg_map_fd(r, IPXR_MAP_NEXTHOP);
	r->neigh4 = pg_map_fd(r, IPXR_MAP_NEIGH4);
	r->stats = pg_map_fd(r, IPXR_MAP_STATS);
	r->nh_stats = pg_map_fd(r, IPXR_MAP_NH_STATS);
	r->local4 = pg_map_fd(r, IPXR_MAP_LOCAL4);
	r->route6 = pg_map_fd(r, IPXR_MAP_ROUTE6);
	r->neigh6 = pg_map_fd(r, IPXR_MAP_NEIGH6);
	r->local6 = pg_map_fd(r, IPXR_MAP_LOCAL6);
	r->ports = pg_map_fd(r, IPXR_MAP_PORTS);
	r->port_tab = bpf_object__find_map_fd_by_name(r->obj, IPXR_MAP_PORT_TAB);
	r->ncpus = libbpf_num_possible_cpus();
	if (r->config < 0 || r->route4 < 0 || r->nexthop < 0 || r->neigh4 < 0 || r->stats < 0 ||
	    r->nh_stats < 0 || r->local4 < 0 || r->route6 < 0 || r->neigh6 < 0 || r->local6 < 0 ||
	    r->ports < 0 || r->ncpus <= 0)
		return -1;
	return 0;
}

static inline void pg_router_close(struct pg_router *r)
{
	bpf_object__close(r->obj);
	r->obj = NULL;
}

static inline int pg_config_set(struct pg_router *r, uint32_t nh_hiwater)
{
	struct ipxr_config c = { .magic = IPXR_LAYOUT_MAGIC, .nh_hiwater = nh_hiwater };
	uint32_t k = 0;

	return bpf_map_update_elem(r->config, &k, &c, BPF_ANY);
}

/*
 * The egress port @ifindex as ipxr records it (enum ipxr_port_flags): the program redirects only
 * into a port marked as running the object and up.
 */
static inline int pg_port_set(struct pg_router *r, uint32_t ifindex, uint32_t flags)
{
	struct ipxr_port v = { .flags = flags | IPXR_PORT_F_KNOWN };

	/* where ipxr puts it (ipxr_maps.h); an object of layout 7 or older has no array */
	if (r->port_tab >= 0 && ifindex < IPXR_PORT_TAB && !(flags & IPXR_PORT_F_VLAN))
		return bpf_map_update_elem(r->port_tab, &ifindex, &v, BPF_ANY);
	return bpf_map_update_elem(r->ports, &ifindex, &v, BPF_ANY);
}

/* No record of @ifindex: 0, or -1 when there was none. */
static inline int pg_port_del(struct pg_router *r, uint32_t ifindex)
{
	struct ipxr_port v = {};

	if (r->port_tab >= 0 && ifindex < IPXR_PORT_TAB &&
	    bpf_map_lookup_elem(r->port_tab, &ifindex, &v) == 0 && v.flags)
		return bpf_map_update_elem(r->port_tab, &ifindex, &(struct ipxr_port){}, BPF_ANY);
	return bpf_map_delete_elem(r->ports, &ifindex);
}

static inline int pg_route_set(struct pg_router *r, const char *addr, uint32_t plen,
			       uint8_t type, uint32_t nh_id)
{
	struct ipxr_route4_key k = { .prefixlen = plen, .addr = pg_addr(addr) };
	struct ipxr_route v = { .type = type, .prefixlen = (uint16_t)plen, .nh_id = nh_id };

	return bpf_map_update_elem(r->route4, &k, &v, BPF_ANY);
}

static inline int pg_route_del(struct pg_router *r, const char *addr, uint32_t plen)
{
	struct ipxr_route4_key k = { .prefixlen = plen, .addr = pg_addr(addr) };

	return bpf_map_delete_elem(r->route4, &k);
}

/* A next hop as ipxr writes it: @gw NULL for a connected (dev-only) next hop. Cache zeroed. */
static inline int pg_nh_set(struct pg_router *r, uint32_t id, uint32_t ifindex, const char *gw,
			    uint32_t refcnt)
{
	struct ipxr_nexthop nh = { .ifindex = ifindex, .refcnt = refcnt };

	if (gw) {
		nh.family = AF_INET;
		*(uint32_t *)nh.gw = pg_addr(gw);
	} else {
		nh.family = AF_UNSPEC;
		nh.flags = IPXR_NH_F_CONNECTED;
	}
	return bpf_map_update_elem(r->nexthop, &id, &nh, BPF_ANY);
}

static inline int pg_route6_set(struct pg_router *r, const char *addr, uint32_t plen,
				uint8_t type, uint32_t nh_id)
{
	struct ipxr_route6_key k = { .prefixlen = plen };
	struct ipxr_route v = { .type = type, .prefixlen = (uint16_t)plen, .nh_id = nh_id };

	pg_addr6(addr, k.addr);
	return bpf_map_update_elem(r->route6, &k, &v, BPF_ANY);
}

static inline int pg_route6_del(struct pg_router *r, const char *addr, uint32_t plen)
{
	struct ipxr_route6_key k = { .prefixlen = plen };

	pg_addr6(addr, k.addr);
	return bpf_map_delete_elem(r->route6, &k);
}

/* The stand-in address ipxr routes a link-local gateway's next hop @id by: 100::<id>. */
static inline void pg_standin6(uint32_t id, char *buf, size_t size)
{
	uint8_t a[16] = {};

	a[0] = IPXR_STANDIN6_HI >> 24;
	a[1] = (uint8_t)(IPXR_STANDIN6_HI >> 16);
	a[2] = (uint8_t)(IPXR_STANDIN6_HI >> 8);
	a[3] = (uint8_t)IPXR_STANDIN6_HI;
	a[12] = (uint8_t)(id >> 24);
	a[13] = (uint8_t)(id >> 16);
	a[14] = (uint8_t)(id >> 8);
	a[15] = (uint8_t)id;
	inet_ntop(AF_INET6, a, buf, (socklen_t)size);
}

/* An IPv6 gateway next hop as ipxr writes it: a link-local one flagged for its stand-in route. */
static inline int pg_nh6_set(struct pg_router *r, uint32_t id, uint32_t ifindex, const char *gw,
			     uint32_t refcnt)
{
	struct ipxr_nexthop nh = { .ifindex = ifindex, .refcnt = refcnt, .family = AF_INET6 };

	pg_addr6(gw, nh.gw);
	if (nh.gw[0] == 0xfe && (nh.gw[1] & 0xc0) == 0x80)
		nh.flags |= IPXR_NH_F_STANDIN;
	return bpf_map_update_elem(r->nexthop, &id, &nh, BPF_ANY);
}

static inline int pg_nh_get(struct pg_router *r, uint32_t id, struct ipxr_nexthop *nh)
{
	return bpf_map_lookup_elem(r->nexthop, &id, nh);
}

/* A per-CPU counter summed over every possible CPU. */
static inline struct ipxr_counter pg_counter(struct pg_router *r, int fd, uint32_t key)
{
	struct ipxr_counter sum = {}, *v = calloc(r->ncpus, sizeof(*v));
	int i;

	if (!v || bpf_map_lookup_elem(fd, &key, v)) {
		printf("# counter lookup %u: %s\n", key, strerror(errno));
		sum.packets = sum.bytes = UINT64_MAX;
	} else {
		for (i = 0; i < r->ncpus; i++) {
			sum.packets += v[i].packets;
			sum.bytes += v[i].bytes;
		}
	}
	free(v);
	return sum;
}

/* ------------------------------------------------------------------------------------------ */
/* BPF_PROG_TEST_RUN                                                                           */

struct pg_result {
	int err;		/* 0, or -errno of the syscall */
	uint32_t retval;	/* XDP action of the (last) run */
	uint32_t duration;	/* average ns per run */
	uint32_t out_len;	/* frame bytes after the metadata */
	uint16_t align;		/* as in struct pg_frame */
	uint8_t out[PG_FRAME_MAX + 32];
} __attribute__((aligned(8)));

/*
 * Run @prog_fd once (or @repeat times, on the same buffer) over @len bytes at @frame arriving on
 * @ifindex. @meta bytes of XDP metadata go in front of the frame: the kernel refuses inputs
 * shorter than an Ethernet header, so a shorter frame is presented as metadata + frame.
 */
static inline int pg_run(int prog_fd, uint32_t ifindex, const void *frame, size_t len,
			 uint32_t meta, uint32_t repeat, struct pg_result *res)
{
	static uint8_t in[PG_FRAME_MAX + 32];
	struct xdp_md ctx = {
		.data = meta,
		.data_end = (uint32_t)(meta + len),
		.ingress_ifindex = ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = in,
		.data_size_in = (uint32_t)(meta + len),
		.data_out = res->out,
		.data_size_out = sizeof(res->out),
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
		.repeat = (int)repeat,
	);
	int err;

	memset(in, 0xa5, meta);
	memcpy(in + meta, frame, len);
	memset(res->out, 0, sizeof(res->out));
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	res->err = err ? -errno : 0;
	res->retval = opts.retval;
	res->duration = opts.duration;
	if (!err && opts.data_size_out >= meta) {
		memmove(res->out, res->out + meta, opts.data_size_out - meta);
		res->out_len = opts.data_size_out - meta;
	} else {
		res->out_len = 0;
	}
	return res->err;
}

#endif /* IPXR_PKTGEN_H */
