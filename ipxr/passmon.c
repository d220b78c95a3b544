// SPDX-License-Identifier: GPL-2.0
/*
 * ipxr monitor pass: the frames the fast path handed to the kernel, with the reason and the port,
 * as tcpdump prints frames, or written to a pcap file for tcpdump -r and Wireshark.
 *
 * The program copies the first IPXR_SAMPLE_LEN bytes of one passed frame in ipxr_config.sample
 * into the ring buffer ipxr_pass_ring; the rate is 0 (off) unless a monitor runs: this one sets
 * it when it starts and turns it off when it stops. The reason and port filters are
 * applied here, after sampling, so "rate 100 reason ttl_exceeded" shows one TTL expiry in 100.
 * One monitor at a time: two would share the ring's records between them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "json_print.h"
#include "maps.h"
#include "passmon.h"
#include "utils.h"

#define PASSMON_POLL_MS		100

struct reason_name {
	const char *name;
	int action;
};

#define IPXR_STAT_ROW(id, name, action) [IPXR_STAT_##id] = { name, action },
static const struct reason_name reason_names[IPXR_STAT_MAX] = {
	IPXR_STAT_LIST(IPXR_STAT_ROW)
};
#undef IPXR_STAT_ROW

static const char *const family_names[IPXR_SF_MAX] = { "link", "inet", "inet6" };

static struct {
	int reason;		/* -1: every reason */
	int ifindex;		/* 0: every port */
	__u32 rate;		/* one in rate passed frames */
	__u32 count;		/* stop after this many shown, 0: until interrupted */
	__u32 shown;
	const char *file;	/* -w FILE: pcap */
	FILE *pcap;
	long long mono_to_real;	/* ns to add to bpf_ktime_get_ns() for the wall clock */
	bool draining;		/* discarding what an earlier monitor left in the ring */
	volatile sig_atomic_t stop;
} pm;

static void on_signal(int sig)
{
	(void)sig;
	pm.stop = 1;
}

static long long clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The classic libpcap format (not pcapng): what tcpdump -r and every reader take. */
static int pcap_open(const char *path)
{
	struct {
		__u32 magic;
		__u16 major, minor;
		__s32 thiszone;
		__u32 sigfigs, snaplen, linktype;
	} hdr = { 0xa1b2c3d4, 2, 4, 0, 0, IPXR_SAMPLE_LEN, 1 /* LINKTYPE_ETHERNET */ };

	pm.pcap = fopen(path, "w");
	if (!pm.pcap)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot open \"%s\": %s", path,
				  strerror(errno));
	if (fwrite(&hdr, sizeof(hdr), 1, pm.pcap) != 1 || fflush(pm.pcap))
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot write \"%s\": %s", path,
				  strerror(errno));
	return 0;
}

static int pcap_write(const struct ipxr_pass_sample *s, long long real_ns)
{
	struct {
		__u32 sec, usec, caplen, len;
	} rec = { real_ns / 1000000000LL, (real_ns % 1000000000LL) / 1000, s->caplen, s->len };

	/* flushed per frame: a reader of the file sees each one as it comes */
	if (fwrite(&rec, sizeof(rec), 1, pm.pcap) != 1 ||
	    fwrite(s->data, s->caplen, 1, pm.pcap) != (s->caplen ? 1U : 0U) || fflush(pm.pcap))
		return -errno;
	return 0;
}

/* What tcpdump would say of the frame, briefly: addresses, protocol, TTL or hop limit. */
static void print_frame(const struct ipxr_pass_sample *s)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], mac[18], t[48];
	const __u8 *l3 = s->data + sizeof(struct ethhdr);
	__u32 caplen = s->caplen;
	struct ethhdr eth[1];
	struct ipv6hdr ip6[1];
	struct iphdr ip[1];
	__u16 proto;

	/* copied out: the headers in data[] are not aligned for their types */
	if (caplen < sizeof(*eth)) {
		print_string(PRINT_FP, NULL, "%s", " truncated frame");
		return;
	}
	memcpy(eth, s->data, sizeof(*eth));
	proto = ntohs(eth->h_proto);
	if (proto == ETH_P_IP && caplen >= sizeof(*eth) + sizeof(struct iphdr)) {
		memcpy(ip, l3, sizeof(*ip));

		print_string(PRINT_ANY, "proto", " %s", "IP");
		print_string(PRINT_ANY, "src", " %s", inet_ntop(AF_INET, &ip->saddr, a, sizeof(a)));
		print_string(PRINT_ANY, "dst", " > %s:", inet_ntop(AF_INET, &ip->daddr, b,
								   sizeof(b)));
		print_uint(PRINT_ANY, "ip_proto", " proto %u", ip->protocol);
		if (ip->protocol == 1 && ip->ihl >= 5 &&
		    caplen >= sizeof(*eth) + ip->ihl * 4U + 2) {
			const __u8 *icmp = l3 + ip->ihl * 4;

			snprintf(t, sizeof(t), "%s", icmp[0] == 8 ? "echo request" :
				 icmp[0] == 0 ? "echo reply" : "");
			print_uint(PRINT_ANY, "icmp_type", " (ICMP type %u", icmp[0]);
			print_uint(PRINT_ANY, "icmp_code", " code %u)", icmp[1]);
			if (*t)
				print_string(PRINT_FP, NULL, " %s", t);
		}
		print_uint(PRINT_ANY, "ttl", ", ttl %u", ip->ttl);
	} else if (proto == ETH_P_IPV6 && caplen >= sizeof(*eth) + sizeof(struct ipv6hdr)) {
		memcpy(ip6, l3, sizeof(*ip6));

		print_string(PRINT_ANY, "proto", " %s", "IP6");
		print_string(PRINT_ANY, "src", " %s", format_ipv6(a, sizeof(a),
								  ip6->saddr.s6_addr));
		print_string(PRINT_ANY, "dst", " > %s:", format_ipv6(b, sizeof(b),
								     ip6->daddr.s6_addr));
		print_uint(PRINT_ANY, "ip_proto", " next header %u", ip6->nexthdr);
		print_uint(PRINT_ANY, "hlim", ", hlim %u", ip6->hop_limit);
	} else {
		snprintf(t, sizeof(t), "0x%04x", proto);
		print_string(PRINT_ANY, "ethertype", " ethertype %s", t);
		if (proto == ETH_P_ARP)
			print_string(PRINT_FP, NULL, "%s", " (ARP)");
		print_string(PRINT_ANY, "eth_src", ", %s", format_mac(mac, sizeof(mac),
								     eth->h_source));
		print_string(PRINT_ANY, "eth_dst", " > %s", format_mac(mac, sizeof(mac),
								       eth->h_dest));
	}
	print_uint(PRINT_ANY, "len", ", length %u", s->len);
}

static int on_sample(void *ctx, void *data, size_t size)
{
	const struct ipxr_pass_sample *s = data;
	char dev[IF_NAMESIZE], when[32], us[16];
	long long real;
	struct tm tm;
	time_t sec;
	int err;

	(void)ctx;
	if (size < sizeof(*s) || s->caplen > IPXR_SAMPLE_LEN || s->reason >= IPXR_STAT_MAX ||
	    s->family >= IPXR_SF_MAX)
		return 0;	/* not a record of this layout */
	if (pm.draining)
		return 0;
	if ((pm.reason >= 0 && s->reason != pm.reason) ||
	    (pm.ifindex && (int)s->ifindex != pm.ifindex) || (pm.count && pm.shown >= pm.count))
		return 0;
	pm.shown++;
	real = (long long)s->tstamp_ns + pm.mono_to_real;
	if (pm.pcap) {
		err = pcap_write(s, real);
		if (err) {
			pm.stop = 1;
			ipxr_error(IPXR_EXIT_REFUSED, "cannot write \"%s\": %s", pm.file,
				   strerror(-err));
			return err;
		}
		return 0;
	}
	sec = real / 1000000000LL;
	localtime_r(&sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	snprintf(us, sizeof(us), ".%06lld", (real % 1000000000LL) / 1000);
	strncat(when, us, sizeof(when) - strlen(when) - 1);
	open_json_object(NULL);
	print_string(PRINT_FP, NULL, "%s", when);
	print_u64(PRINT_JSON, "tstamp_ns", NULL, (uint64_t)real);
	print_string(PRINT_ANY, "dev", " %s", dev_name((int)s->ifindex, dev));
	print_string(PRINT_ANY, "reason", " %s", reason_names[s->reason].name);
	print_string(PRINT_ANY, "family", " %s:", family_names[s->family]);
	print_frame(s);
	print_uint(PRINT_JSON, "caplen", NULL, s->caplen);
	close_json_object();
	print_nl();
	fflush(stdout);
	return 0;
}

/* Set the sampling rate to @rate, returning the one found in *@old (NULL: do not ask). */
static int sample_set(__u32 rate, __u32 *old)
{
	struct ipxr_config cfg;
	int err;

	err = maps_open(true);
	if (err)
		return err;
	err = config_read(&cfg);
	if (!err) {
		if (old)
			*old = cfg.sample;
		cfg.sample = rate;
		err = config_write(&cfg);
	}
	maps_close();
	if (err)
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot set the sampling rate in map %s: %s",
				  IPXR_MAP_CONFIG, strerror(-err));
	return 0;
}

static int parse_reason(const char *s)
{
	int i;

	for (i = 0; i < IPXR_STAT_MAX; i++)
		if (is_word(s, reason_names[i].name))
			break;
	if (i == IPXR_STAT_MAX || reason_names[i].action != XDP_PASS) {
		ipxr_error(IPXR_EXIT_USAGE, "\"%s\" is not a pass reason (ipxr-stats(8) lists "
			   "them)", s);
		return -1;
	}
	return i;
}

/* "rate N" or "rate 1/N": one frame in N. */
static int parse_rate(const char *s)
{
	if (!strncmp(s, "1/", 2))
		s += 2;
	if (parse_u32_arg("rate", s, INT_MAX, &pm.rate))
		return IPXR_EXIT_USAGE;
	if (!pm.rate)
		return ipxr_error(IPXR_EXIT_USAGE, "rate \"%s\": one frame in at least 1", s);
	return 0;
}

static int parse(int argc, char **argv)
{
	bool has_rate = false;
	int err;

	for (; argc > 0; argc -= 2, argv += 2) {
		if (argc < 2)
			return is_word(*argv, "reason") || is_word(*argv, "dev") ||
			       is_word(*argv, "rate") || is_word(*argv, "count") ||
			       is_word(*argv, "-w") ? missarg(*argv) : badarg(*argv);
		if (is_word(*argv, "reason")) {
			if (pm.reason >= 0)
				return duparg(*argv, argv[1]);
			pm.reason = parse_reason(argv[1]);
			if (pm.reason < 0)
				return IPXR_EXIT_USAGE;
		} else if (is_word(*argv, "dev")) {
			if (pm.ifindex)
				return duparg(*argv, argv[1]);
			err = dev_lookup_arg(argv[1], &pm.ifindex);
			if (err)
				return err;
		} else if (is_word(*argv, "rate")) {
			if (has_rate)
				return duparg(*argv, argv[1]);
			has_rate = true;
			err = parse_rate(argv[1]);
			if (err)
				return err;
		} else if (is_word(*argv, "count")) {
			if (pm.count)
				return duparg(*argv, argv[1]);
			err = parse_u32_arg(*argv, argv[1], UINT32_MAX, &pm.count);
			if (err)
				return err;
			if (!pm.count)
				return ipxr_error(IPXR_EXIT_USAGE, "count \"%s\": at least 1",
						  argv[1]);
		} else if (is_word(*argv, "-w")) {
			if (pm.file)
				return duparg(*argv, argv[1]);
			pm.file = argv[1];
		} else {
			return badarg(*argv);
		}
	}
	return 0;
}

int monitor_pass(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct ring_buffer *rb = NULL;
	char dir[PATH_MAX], path[PATH_MAX + 32];
	__u32 old = 0;
	int fd, err, n;

	memset(&pm, 0, sizeof(pm));
	pm.reason = -1;
	pm.rate = 1;
	err = parse(argc, argv);
	if (err)
		return err;
	if (pm.file && ipxr.json)
		return ipxr_error(IPXR_EXIT_USAGE, "-w writes pcap: not with -json");
	/* the ring before the rate: nothing is sampled that no one reads */
	snprintf(path, sizeof(path), "%s/%s", maps_dir(dir, sizeof(dir)), IPXR_MAP_PASS_RING);
	err = maps_open(false);
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return ipxr_error(IPXR_EXIT_NOMAPS, "cannot open \"%s\": %s", path,
				  strerror(errno));
	rb = ring_buffer__new(fd, on_sample, NULL, NULL);
	if (!rb) {
		err = errno;
		close(fd);
		return ipxr_error(IPXR_EXIT_REFUSED, "cannot map the ring buffer \"%s\": %s", path,
				  strerror(err));
	}
	pm.draining = true;
	ring_buffer__consume(rb);
	pm.draining = false;
	if (pm.file)
		err = pcap_open(pm.file);
	if (!err)
		err = sample_set(pm.rate, &old);
	if (err)
		goto out;
	if (old)
		ipxr_warn("sampling was on already (1/%u): another monitor runs, or one was killed "
			  "before it could turn it off; this one turns it off when it stops", old);
	pm.mono_to_real = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	while (!pm.stop && (!pm.count || pm.shown < pm.count)) {
		n = ring_buffer__poll(rb, PASSMON_POLL_MS);
		if (n < 0 && n != -EINTR) {
			err = ipxr_error(IPXR_EXIT_REFUSED, "reading the ring buffer: %s",
					 strerror(-n));
			break;
		}
	}
	/* off, whatever was found: a monitor killed before it could do this leaves it on */
	n = sample_set(0, NULL);
	if (!err)
		err = n;
	if (pm.file)
		fprintf(stderr, "%u frames written to %s\n", pm.shown, pm.file);
out:
	ring_buffer__free(rb);
	close(fd);
	if (pm.pcap)
		fclose(pm.pcap);
	return err;
}
