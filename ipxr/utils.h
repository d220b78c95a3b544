/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the ipxr CLI: global options, exit codes, error reporting, the command table
 * dispatcher used at every level, and the parsers of addresses, prefixes and device names.
 */
#ifndef IPXR_UTILS_H
#define IPXR_UTILS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>
#include <net/if.h>
#include <netinet/in.h>

/* Exit codes, also written in the man page: scripts test them. */
enum {
	IPXR_EXIT_OK = 0,
	IPXR_EXIT_USAGE = 1,	/* bad keyword, address, prefix; missing or duplicate argument */
	IPXR_EXIT_REFUSED = 2,	/* the map or the kernel refused the operation */
	IPXR_EXIT_LOOKUP = 3,	/* unknown device or netns, no route */
	IPXR_EXIT_NOMAPS = 4,	/* maps not pinned, or of another layout version */
	IPXR_EXIT_INCONSISTENT = 5,	/* ipxr check: an invariant does not hold */
};

struct ipxr_global {
	int family;		/* -4, -6, -f: AF_INET or AF_INET6; AF_UNSPEC when none given */
	bool json;
	bool pretty;
	int stats;		/* -s given (count) */
	bool force;
	const char *netns;	/* -n NETNS: entered with setns() only, /sys as it was */
	bool batch;		/* reading commands from a file: next hops are written at the end */
	const char *batch_file;	/* for the FILE:LINE prefix of errors */
	unsigned long batch_line;
};

extern struct ipxr_global ipxr;

/* The OPTIONS production, the same in every help text. */
extern const char ipxr_options_usage[];

/* Print "Error: ..." (and {"error": ...} on stdout with -j); returns @code for `return`. */
int ipxr_error(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ipxr_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Every table of words (objects, commands, options) starts its rows with the name, so one
 * matcher serves them all. @stride is the size of a row; the table ends with a NULL name.
 * Returns the row, or NULL with *@ambiguous set when several rows share the prefix.
 */
const void *table_match(const void *table, size_t stride, const char *word, bool *ambiguous);
/* The same, printing the error ("unknown"/"ambiguous", naming candidates) when there is none. */
const void *table_find(const void *table, size_t stride, const char *word, const char *what);

struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
};

/*
 * Run the row of @cmds that @argv[0] names (a unique prefix is enough); with no word run
 * @dflt. Returns the handler's exit code, or IPXR_EXIT_USAGE with the error printed.
 */
int cmd_dispatch(const struct cmd *cmds, const char *what, int (*dflt)(int, char **),
		 int argc, char **argv);

/* Keywords are exact words (as ip spells them): "via", "dev"... */
static inline bool is_word(const char *arg, const char *kw)
{
	return strcmp(arg, kw) == 0;
}

int duparg(const char *key, const char *arg);
int missarg(const char *key);
int badarg(const char *arg);

/*
 * An address or a prefix of either family, as iproute2's inet_prefix: the parsers fill it, the
 * route code turns it into the key of the family's trie.
 */
struct inet_prefix {
	__u8 family;		/* AF_INET or AF_INET6; AF_UNSPEC: "default" of no family yet */
	__u8 bitlen;		/* prefix length; an address has its family's full length */
	__u8 addr[16];		/* network order; an IPv4 address in the first 4 bytes */
};

/* "inet"/"inet6", AF_INET/AF_INET6 -> 32/128 bits, 4/16 bytes (0 for anything else) */
const char *af_name(int family);
unsigned int af_bits(int family);
unsigned int af_bytes(int family);

/*
 * Parsers return 0 or a negative errno: -EINVAL not an address or prefix, -EAFNOSUPPORT one of
 * the other family than @family (AF_UNSPEC: either), -EDOM host bits set. The *_arg variants
 * print the error and return an exit code.
 */
int get_ipv4(const char *s, __be32 *addr);
int get_addr(const char *s, int family, struct inet_prefix *a);
int get_prefix(const char *s, int family, struct inet_prefix *p, bool allow_host_bits);
int parse_addr_arg(const char *s, int family, struct inet_prefix *a);
int parse_prefix_arg(const char *s, int family, struct inet_prefix *p);
int parse_u32_arg(const char *key, const char *s, __u32 max, __u32 *val);

/* Clear the bits of @addr (@family's length) past @plen; whether any was set. */
bool addr_mask(int family, __u8 *addr, unsigned int plen);
/* @inner lies inside @outer (same family, @inner's length at least @outer's). */
bool prefix_contains(const struct inet_prefix *outer, const struct inet_prefix *inner);
/* The same family, length and address. */
bool prefix_equal(const struct inet_prefix *a, const struct inet_prefix *b);
/*
 * A total order of prefixes for qsort() and bsearch() (family, length, then all 16 address
 * bytes: the parsers and decoders leave the bytes past the family's length zero).
 */
int prefix_cmp(const void *a, const void *b);
/* fe80::/10: reachable only through a device given with it */
bool addr_is_linklocal(int family, const __u8 *addr);

/* Long enough for any prefix format_prefix() prints: an IPv6 address and "/128". */
#define PREFIX_STRLEN	(INET6_ADDRSTRLEN + 4)

/*
 * "default", "10.0.0.1" or "2001:db8::1" (a host route, as ip prints it) or "10.0.0.0/24".
 * IPv6 addresses are written as RFC 5952 says (see format_ipv6).
 */
char *format_prefix(char *buf, size_t len, const struct inet_prefix *p);
const char *format_addr(char *buf, size_t len, int family, const void *addr);
const char *format_ipv6(char *buf, size_t len, const __u8 *addr);
const char *format_mac(char *buf, size_t len, const __u8 *mac);

/* Device names <-> ifindex, cached for the life of the process (batch speed). */
int dev_lookup_arg(const char *name, int *ifindex);
const char *dev_name(int ifindex, char *buf);
void dev_cache_free(void);

/* Lines of text for batch mode: splits @line in place into @argv, honouring quotes. */
int split_args(char *line, char **argv, int max);

#endif /* IPXR_UTILS_H */
