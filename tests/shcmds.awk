# SPDX-License-Identifier: GPL-2.0
#
# shcmds.awk: the commands a set of bash scripts runs, read from their text (nothing is executed),
# for tests/deps.sh. POSIX awk (Debian's mawk is enough).
#
#	awk -v purposes='FILE=PURPOSE,...;FILE=...' -f tests/shcmds.awk FILE...
#
# Prints one line per command word found in command position, tab-separated:
#
#	FILE	LINE	COMMAND	PURPOSE[,PURPOSE...]
#
# A command position is the start of a simple command: after a newline, ; & | && || ( { ! $( `
# <( and the reserved words that take a command list, past any VAR=value assignments. Quoted text,
# comments, here-document bodies (but their $(...)), [[ ]] and (( )) are not commands; for and
# case headers are not; the words after a wrapper that runs its arguments are (timeout, env,
# setpriv, nice, xargs, ip netns exec, sh -c 'TEXT', trap 'TEXT', find -exec, ...), and so are
# the arguments of the scripts' own functions that run "$@" (found here, not listed: a function
# is such a runner when "$@" is in command position in its body, after as many words as it
# shifted). Functions the scripts define, and a file sources, are not printed.
#
# PURPOSE is what the command is run for (the deps.sh purpose: test, demo, bench, ...): the
# purpose of the file, or, for the body of a function, the purposes of whoever calls it, through
# as many files and functions as it takes (tests/lib.sh's topo_build runs for the demo and the
# tests, its check_tcp for the tests alone).

BEGIN {
	nfiles = 0
	SCN = 0
	n = split(purposes, pl, ";")
	for (i = 1; i <= n; i++) {
		if (pl[i] == "")
			continue
		eq = index(pl[i], "=")
		fpurpose[substr(pl[i], 1, eq - 1)] = substr(pl[i], eq + 1)
	}
}

FNR == 1 {
	files[++nfiles] = FILENAME
	text[FILENAME] = ""
}

{
	text[FILENAME] = text[FILENAME] $0 "\n"
}

END {
	for (f = 1; f <= nfiles; f++)
		tokenize(text[files[f]], files[f], 1, files[f], 0)
	# runners call runners: resolve until nothing new is learnt
	for (iter = 0; iter < 20; iter++) {
		changed = 0
		for (k = 1; k <= SCN; k++)
			resolve(k, 0)
		if (!changed)
			break
	}
	for (k = 1; k <= SCN; k++)
		resolve(k, 1)
	propagate()
	for (e = 1; e <= NOUT; e++) {
		ctx = out_ctx[e]
		p = ctx_purposes(ctx)
		printf "%s\t%s\t%s\t%s\n", out_file[e], out_line[e], out_cmd[e], p
	}
}

# ---- tokenizer -----------------------------------------------------------------------------
#
# S: the text, P: position, L: length, LN: line. A simple command's words are collected per
# nesting depth D (a $(...) inside a word is parsed before the word ends); a word is "S" and its
# value when it is static (no expansion), "D" and its raw text otherwise, "A" for NAME=(...).

function tokenize(s, file, line, ctx, nofunc)
{
	S = s
	P = 1
	L = length(s)
	LN = line
	FILE = file
	NOFUNC = nofunc
	D = 0
	cft = 1
	cf[1] = ctx
	BD = 0
	CASED = 0
	NHD = 0
	pending_func = ""
	parse_list("")
}

function ch()
{
	return substr(S, P, 1)
}

function pk(k)
{
	return substr(S, P + k, 1)
}

function adv()
{
	if (substr(S, P, 1) == "\n")
		LN++
	P++
}

function skip_blanks()
{
	while (P <= L) {
		if (ch() == " " || ch() == "\t")
			adv()
		else if (ch() == "\\" && pk(1) == "\n") {
			adv()
			adv()
		} else
			break
	}
}

# parse_list TERM: commands up to TERM (")", "`", or "" for the end of the text)
function parse_list(term,    c, w, v)
{
	D++
	cn[D] = 0
	while (P <= L) {
		c = ch()
		if (c == " " || c == "\t") {
			adv()
			continue
		}
		if (c == "\\" && pk(1) == "\n") {
			adv()
			adv()
			continue
		}
		if (c == "\n") {
			adv()
			end_cmd()
			heredocs()
			continue
		}
		if (term == ")" && c == ")") {
			adv()
			end_cmd()
			D--
			return
		}
		if (term == "`" && c == "`") {
			adv()
			end_cmd()
			D--
			return
		}
		if (c == "#") {
			while (P <= L && ch() != "\n")
				adv()
			continue
		}
		if (c == ";") {
			adv()
			if (ch() == ";" || ch() == "&") {
				adv()
				if (ch() == "&")
					adv()
				end_cmd()
				case_pattern()
				continue
			}
			end_cmd()
			continue
		}
		if (c == "&") {
			if (pk(1) == ">") {
				redirect()
				continue
			}
			adv()
			if (ch() == "&")
				adv()
			end_cmd()
			continue
		}
		if (c == "|") {
			adv()
			if (ch() == "|" || ch() == "&")
				adv()
			end_cmd()
			continue
		}
		if (c == "(") {
			if (cn[D] == 0 && pk(1) == "(") {
				skip_arith()
				continue
			}
			if (cn[D] == 0) {
				adv()
				subshell()
				continue
			}
			adv()
			continue
		}
		if (c == ")") {
			adv()
			end_cmd()
			continue
		}
		if ((c == "<" || c == ">") && pk(1) == "(") {
			adv()
			adv()
			parse_list(")")
			add_word("D<(...)")
			continue
		}
		if (c == "<" || c == ">") {
			redirect()
			continue
		}
		w = read_word()
		v = substr(w, 2)
		if (cn[D] == 0 && w ~ /^S/) {
			if (v == "if" || v == "then" || v == "else" || v == "elif" || v == "do" ||
			    v == "while" || v == "until" || v == "!" || v == "time" || v == "fi" ||
			    v == "done")
				continue
			if (v == "{") {
				BD++
				bfunc[BD] = pending_func
				if (pending_func != "")
					cf[++cft] = pending_func
				pending_func = ""
				continue
			}
			if (v == "}") {
				if (BD > 0) {
					if (bfunc[BD] != "")
						cft--
					bfunc[BD] = ""
					BD--
				}
				continue
			}
			if (v == "esac") {
				if (CASED > 0)
					CASED--
				continue
			}
			if (v == "for" || v == "select") {
				for_header()
				continue
			}
			if (v == "case") {
				skip_blanks()
				read_word()
				skip_space()
				read_word()
				CASED++
				case_pattern()
				continue
			}
			if (v == "[[") {
				cond()
				continue
			}
			if (v == "function") {
				skip_blanks()
				w = read_word()
				skip_blanks()
				if (ch() == "(" && pk(1) == ")") {
					adv()
					adv()
				}
				define_func(substr(w, 2))
				continue
			}
			if (v ~ /^[A-Za-z_][A-Za-z0-9_:.-]*$/ && paren_pair()) {
				define_func(v)
				continue
			}
		}
		# a file descriptor number before a redirection
		if (w ~ /^S[0-9]+$/ && (ch() == "<" || ch() == ">"))
			continue
		add_word(w)
	}
	end_cmd()
	D--
}

# skip_space: blanks, newlines and comments
function skip_space()
{
	while (P <= L) {
		if (ch() == " " || ch() == "\t" || ch() == "\n")
			adv()
		else if (ch() == "\\" && pk(1) == "\n") {
			adv()
			adv()
		} else if (ch() == "#") {
			while (P <= L && ch() != "\n")
				adv()
		} else
			break
	}
}

# paren_pair: "()" follows (blanks allowed): consume it
function paren_pair(    save_p, save_ln)
{
	save_p = P
	save_ln = LN
	skip_blanks()
	if (ch() == "(") {
		adv()
		skip_blanks()
		if (ch() == ")") {
			adv()
			return 1
		}
	}
	P = save_p
	LN = save_ln
	return 0
}

function define_func(name)
{
	pending_func = FILE SUBSEP name
	funcs[FILE SUBSEP name] = 1
}

function subshell()
{
	if (pending_func != "") {
		cf[++cft] = pending_func
		pending_func = ""
		parse_list(")")
		cft--
		return
	}
	parse_list(")")
}

function add_word(w)
{
	cn[D]++
	if (cn[D] == 1)
		cl[D] = LN
	cw[D, cn[D]] = w
}

# end_cmd: the simple command collected at this depth is complete
function end_cmd(    i, k, v)
{
	if (cn[D] == 0)
		return
	k = ++SCN
	sc_file[k] = FILE
	sc_line[k] = cl[D]
	sc_ctx[k] = cf[cft]
	sc_nofunc[k] = NOFUNC
	sc_n[k] = cn[D]
	for (i = 1; i <= cn[D]; i++)
		sc_w[k, i] = cw[D, i]
	sc_shift[k] = fshift[cf[cft]] + 0
	v = cw[D, 1]
	if (v == "Sshift")
		fshift[cf[cft]] += (cn[D] > 1 && cw[D, 2] ~ /^S[0-9]+$/) ? substr(cw[D, 2], 2) : 1
	if ((v == "Ssource" || v == "S.") && cn[D] > 1)
		sourced(FILE, cw[D, 2])
	# NAME=(static words): remembered, so "${NAME[@]}" in command position can be read
	if (cn[D] == 1 && v ~ /^A/)
		arrays[FILE SUBSEP substr(v, 2, index(v, "=") - 2)] = substr(v, index(v, "=") + 1)
	cn[D] = 0
}

# sourced FILE WORD: FILE sources the file WORD names: match on the last path component
function sourced(file, w,    b, f)
{
	b = substr(w, 2)
	sub(/"$/, "", b)
	sub(/.*\//, "", b)
	if (b !~ /^[A-Za-z0-9_.+-]+$/)
		return
	for (f = 1; f <= nfiles; f++) {
		if (files[f] != file && (files[f] == b ||
		    substr(files[f], length(files[f]) - length(b)) == "/" b)) {
			src[file, ++nsrc[file]] = files[f]
			srcby[files[f], ++nsrcby[files[f]]] = file
		}
	}
}

# read_word: one word; "S" and its value if static, "D" and its raw text otherwise, "A" for an
# array assignment of static words (their values, separated by \002)
function read_word(    raw, val, dyn, c, r, arr, e, n)
{
	raw = ""
	val = ""
	dyn = 0
	while (P <= L) {
		c = ch()
		if (c == "(" && raw ~ /^[A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=$/) {
			adv()
			arr = ""
			n = 0
			for (;;) {
				skip_space()
				if (P > L)
					break
				if (ch() == ")") {
					adv()
					break
				}
				e = read_word()
				if (e !~ /^S/)
					dyn = 1
				arr = arr (n++ ? "\002" : "") substr(e, 2)
			}
			if (!dyn)
				return "A" raw arr
			return "D" raw "(...)"
		}
		# a[i - 1]=...: a subscript may hold blanks
		if (c == "[" && raw ~ /^[A-Za-z_][A-Za-z0-9_]*$/ && !dyn) {
			while (P <= L && ch() != "]" && ch() != "\n") {
				raw = raw ch()
				val = val ch()
				adv()
			}
			continue
		}
		if (c == " " || c == "\t" || c == "\n" || c == ";" || c == "&" || c == "|" ||
		    c == "<" || c == ">" || c == "(" || c == ")")
			break
		if (c == "\\") {
			adv()
			if (ch() == "\n") {
				adv()
				continue
			}
			raw = raw "\\" ch()
			val = val ch()
			adv()
			continue
		}
		if (c == "'") {
			adv()
			while (P <= L && ch() != "'") {
				raw = raw ch()
				val = val ch()
				adv()
			}
			adv()
			raw = "'" raw "'"
			continue
		}
		if (c == "\"") {
			adv()
			r = dq(1)
			if (r ~ /^D/)
				dyn = 1
			raw = raw "\"" substr(r, 2) "\""
			val = val substr(r, 2)
			continue
		}
		if (c == "`") {
			if (BQ > 0)
				break
			adv()
			BQ++
			parse_list("`")
			BQ--
			dyn = 1
			raw = raw "`...`"
			continue
		}
		if (c == "$") {
			r = dollar()
			if (r ~ /^D/)
				dyn = 1
			raw = raw substr(r, 2)
			val = val substr(r, 2)
			continue
		}
		raw = raw c
		val = val c
		adv()
	}
	return dyn ? "D" raw : "S" val
}

# dollar: an expansion at P ("$..."); "D" and its raw text, or "S" and a literal
function dollar(    c, raw, depth, q)
{
	c = pk(1)
	if (c == "(" && pk(2) == "(") {
		adv()
		skip_arith()
		return "D$((...))"
	}
	if (c == "(") {
		adv()
		adv()
		parse_list(")")
		return "D$(...)"
	}
	if (c == "'") {
		adv()
		adv()
		raw = ""
		while (P <= L && ch() != "'") {
			if (ch() == "\\") {
				raw = raw ch()
				adv()
			}
			raw = raw ch()
			adv()
		}
		adv()
		return "S" raw
	}
	if (c == "\"") {
		adv()
		return "S"
	}
	if (c == "{") {
		adv()
		adv()
		raw = "${"
		depth = 1
		while (P <= L) {
			c = ch()
			if (c == "\\") {
				raw = raw c pk(1)
				adv()
				adv()
				continue
			}
			if (c == "'") {
				q = P
				adv()
				while (P <= L && ch() != "'")
					adv()
				adv()
				raw = raw substr(S, q, P - q)
				continue
			}
			if (c == "\"") {
				adv()
				raw = raw "\"" substr(dq(1), 2) "\""
				continue
			}
			if (c == "$" && (pk(1) == "(" || pk(1) == "{")) {
				raw = raw substr(dollar(), 2)
				continue
			}
			if (c == "{")
				depth++
			if (c == "}" && --depth == 0) {
				adv()
				break
			}
			raw = raw c
			adv()
		}
		return "D" raw "}"
	}
	adv()
	raw = "$"
	if (c ~ /[A-Za-z_]/) {
		while (P <= L && ch() ~ /[A-Za-z0-9_]/) {
			raw = raw ch()
			adv()
		}
		return "D" raw
	}
	if (c ~ /[0-9@*#?$!-]/) {
		adv()
		return "D" raw c
	}
	return "S$"
}

# dq QUOTED: a double-quoted string's content from P, to the closing quote when QUOTED (else
# to the end of the text: a here-document body); "S" or "D" and the content
function dq(quoted,    c, raw, dyn, r)
{
	raw = ""
	dyn = 0
	while (P <= L) {
		c = ch()
		if (quoted && c == "\"") {
			adv()
			break
		}
		if (c == "\\") {
			raw = raw c pk(1)
			adv()
			adv()
			continue
		}
		if (c == "`") {
			adv()
			BQ++
			parse_list("`")
			BQ--
			dyn = 1
			raw = raw "`...`"
			continue
		}
		if (c == "$") {
			r = dollar()
			if (r ~ /^D/)
				dyn = 1
			raw = raw substr(r, 2)
			continue
		}
		raw = raw c
		adv()
	}
	return (dyn ? "D" : "S") raw
}

# skip_arith: (( ... )) from P, parentheses balanced
function skip_arith(    depth)
{
	depth = 0
	while (P <= L) {
		if (ch() == "(")
			depth++
		else if (ch() == ")" && --depth == 0) {
			adv()
			return
		}
		adv()
	}
}

# redirect: an operator (< > >> <> >| <& >& &> &>> << <<- <<<) and its target
function redirect(    c, strip, w, delim, start)
{
	if (ch() == "<" && pk(1) == "<" && pk(2) != "<") {
		adv()
		adv()
		strip = 0
		if (ch() == "-") {
			strip = 1
			adv()
		}
		skip_blanks()
		start = P
		w = read_word()
		delim = substr(w, 2)
		hd_delim[++NHD] = delim
		hd_strip[NHD] = strip
		# a quoted delimiter ('EOF', "EOF", \EOF): the body is literal text
		hd_quoted[NHD] = substr(S, start, P - start) ~ /["'\\]/
		return
	}
	while (ch() == "<" || ch() == ">" || ch() == "&" || ch() == "|")
		adv()
	skip_blanks()
	if ((ch() == "<" || ch() == ">") && pk(1) == "(") {
		adv()
		adv()
		parse_list(")")
		return
	}
	read_word()
}

# heredocs: the bodies of the here-documents opened on the line just ended; an unquoted body's
# command substitutions run
function heredocs(    h, start, line, body, t, save_s, save_p, save_l, save_ln, e)
{
	for (h = 1; h <= NHD; h++) {
		body = ""
		start = LN
		while (P <= L) {
			e = index(substr(S, P), "\n")
			line = e ? substr(S, P, e - 1) : substr(S, P)
			P += e ? e : length(line) + 1
			LN++
			t = line
			if (hd_strip[h])
				sub(/^\t+/, "", t)
			if (t == hd_delim[h])
				break
			body = body line "\n"
		}
		if (!hd_quoted[h] && body ~ /[$`]/) {
			save_s = S
			save_p = P
			save_l = L
			save_ln = LN
			S = body
			P = 1
			L = length(body)
			LN = start + 1
			dq(0)
			S = save_s
			P = save_p
			L = save_l
			LN = save_ln
		}
	}
	NHD = 0
}

# for_header: the words of `for NAME in WORDS` up to ; or newline, or a (( )) header
function for_header()
{
	skip_blanks()
	if (ch() == "(" && pk(1) == "(") {
		skip_arith()
		return
	}
	while (P <= L) {
		skip_blanks()
		if (ch() == "\n" || ch() == ";" || ch() == "")
			return
		read_word()
	}
}

# case_pattern: after `case WORD in` or ;;, the next pattern up to its ")", or esac
function case_pattern(    c, save_p, save_ln, w)
{
	skip_space()
	save_p = P
	save_ln = LN
	w = read_word()
	if (w == "Sesac") {
		CASED--
		return
	}
	P = save_p
	LN = save_ln
	if (ch() == "(")
		adv()
	while (P <= L) {
		c = ch()
		if (c == "\\") {
			adv()
			adv()
			continue
		}
		if (c == "'" || c == "\"") {
			adv()
			while (P <= L && ch() != c) {
				if (ch() == "\\")
					adv()
				adv()
			}
			adv()
			continue
		}
		if (c == ")") {
			adv()
			return
		}
		adv()
	}
}

# cond: [[ ... ]]: words and operators, no commands (but in $(...))
function cond(    w)
{
	while (P <= L) {
		skip_space()
		if (index("&|()!<>", ch()) && ch() != "") {
			adv()
			continue
		}
		w = read_word()
		if (w == "S]]")
			return
	}
}

# ---- resolution: which word of a simple command is the command ------------------------------

function is_args(w)
{
	return w == "D\"$@\"" || w == "D$@" || w == "D\"${@}\""
}

# lookup FILE NAME: the key of the function NAME visible in FILE (its own, then what it sources)
function lookup(file, name, depth,    i, r)
{
	if ((file SUBSEP name) in funcs)
		return file SUBSEP name
	if (depth > 8)
		return ""
	for (i = 1; i <= nsrc[file]; i++) {
		r = lookup(src[file, i], name, depth + 1)
		if (r != "")
			return r
	}
	# a library sourced after another (tests/lib6.sh after lib.sh) sees what its sourcer sees
	for (i = 1; i <= nsrcby[file]; i++) {
		r = lookup(srcby[file, i], name, depth + 1)
		if (r != "")
			return r
	}
	return ""
}

function mark_runner(ctx, skip)
{
	if (ctx in funcs && !(ctx in runner)) {
		runner[ctx] = skip
		changed = 1
	}
}

# resolve K EMIT: find the command(s) simple command K runs; with EMIT, record them
function resolve(k, emit,    n, i, w, v, f, j, t, a, m, x, ctx)
{
	n = sc_n[k]
	delete W
	for (i = 1; i <= n; i++)
		W[i] = sc_w[k, i]
	ctx = sc_ctx[k]
	i = 1
	for (;;) {
		while (i <= n && (W[i] ~ /^A/ ||
		       W[i] ~ /^[SD][A-Za-z_][A-Za-z0-9_]*(\[[^]]*\])?\+?=/))
			i++
		if (i > n)
			return
		w = W[i]
		if (is_args(w)) {
			mark_runner(ctx, sc_shift[k])
			return
		}
		# "${NAME[@]}" of a static array: its words
		if (w ~ /^D"?\$\{[A-Za-z_][A-Za-z0-9_]*\[@\]\}"?$/) {
			v = w
			gsub(/^D"?\$\{|\[@\]\}"?$/, "", v)
			if (!((sc_file[k] SUBSEP v) in arrays))
				return
			m = split(arrays[sc_file[k] SUBSEP v], a, "\002")
			for (j = n; j > i; j--)
				W[j + m - 1] = W[j]
			for (j = 1; j <= m; j++)
				W[i + j - 1] = "S" a[j]
			n += m - 1
			continue
		}
		# ${NAME:-word}: the default
		if (w ~ /^D"?\$\{[A-Za-z_][A-Za-z0-9_]*:?-[A-Za-z0-9_.\/+-]+\}"?$/) {
			v = w
			gsub(/^D"?\$\{[A-Za-z_][A-Za-z0-9_]*:?-|\}"?$/, "", v)
			w = "S" v
		}
		if (w !~ /^S/)
			return
		v = substr(w, 2)
		if (v == "")
			return
		f = sc_nofunc[k] ? "" : lookup(sc_file[k], v, 0)
		if (f != "") {
			if (emit)
				edge(ctx, f)
			if (!(f in runner))
				return
			# the command is the word after the runner's first runner[f] arguments
			t = i + 1 + runner[f]
			for (j = i + 1; j < t && j <= n; j++) {
				if (is_args(W[j])) {
					mark_runner(ctx, sc_shift[k] + t - j)
					return
				}
			}
			i = t
			continue
		}
		# a relative path (tests/dir24_check, ./$t) is the tree's own program
		if (emit && (v !~ /\// || v ~ /^\//)) {
			out_file[++NOUT] = sc_file[k]
			out_line[NOUT] = sc_line[k]
			out_cmd[NOUT] = v
			out_ctx[NOUT] = ctx
		}
		x = wrapped(i, n, v)
		if (x == -2) {
			# TEXT run by a shell: sh -c TEXT, bash -c TEXT, trap TEXT
			if (emit && !(k in reparsed)) {
				reparsed[k] = 1
				j = WTEXT
				tokenize(substr(W[j], 2), sc_file[k], sc_line[k], ctx,
					 v == "sh" || v == "bash")
			}
			return
		}
		if (x < 0)
			return
		i = x
	}
}

# opt_arg OPT LIST: OPT takes a separate argument (LIST: space-separated options)
function opt_arg(o, list)
{
	return index(" " list " ", " " o " ") > 0
}

# wrapped I N CMD: the index of the command CMD (at W[I]) runs, -1 if none, -2 if it runs the
# static text W[WTEXT] as shell code
function wrapped(i, n, cmd,    j, o, args, pos)
{
	j = i + 1
	if (cmd == "sh" || cmd == "bash" || cmd == "trap" || cmd == "eval") {
		if (cmd == "trap" || cmd == "eval") {
			if (j <= n && W[j] ~ /^S/ && W[j] !~ /^S-/ && W[j] != "S") {
				WTEXT = j
				return -2
			}
			return -1
		}
		for (; j <= n; j++) {
			if (W[j] == "S-c" || W[j] ~ /^S-[a-z]*c$/) {
				if (j + 1 <= n && W[j + 1] ~ /^S/) {
					WTEXT = j + 1
					return -2
				}
				return -1
			}
			if (W[j] !~ /^S-/)
				return -1
		}
		return -1
	}
	if (cmd == "ip") {
		for (; j + 2 <= n; j++)
			if (W[j] == "Snetns" && (W[j + 1] == "Sexec" || W[j + 1] == "Se"))
				return j + 3 <= n ? j + 3 : -1
		return -1
	}
	if (cmd == "find") {
		for (; j <= n; j++)
			if (W[j] == "S-exec" || W[j] == "S-execdir" || W[j] == "S-ok")
				return j + 1
		return -1
	}
	if (cmd == "command") {
		if (j <= n && W[j] ~ /^S-[vV]/)
			return -1
		return j <= n ? j : -1
	}
	if (cmd == "exec" || cmd == "nohup" || cmd == "builtin" || cmd == "sudo" ||
	    cmd == "nice" || cmd == "stdbuf" || cmd == "setpriv" || cmd == "unshare" ||
	    cmd == "nsenter" || cmd == "xargs" || cmd == "env" || cmd == "timeout" ||
	    cmd == "taskset" || cmd == "chrt" || cmd == "flock" || cmd == "valgrind" ||
	    cmd == "strace" || cmd == "watch") {
		args = "-n -u -g -a -o -e -i -C -S -s -k -P -I -d -L -E -t -w -p"
		if (cmd == "env")
			args = "-u -C -S"
		else if (cmd == "xargs")
			args = "-n -P -I -d -L -s -a -E"
		else if (cmd == "timeout")
			args = "-k -s"
		else if (cmd == "sudo")
			args = "-u -g -C -D -h -p -r -t -U"
		else if (cmd == "nice")
			args = "-n"
		else if (cmd == "nsenter")
			args = "-t -S -G"
		else if (cmd == "unshare")
			args = "--propagation --setgroups --map-user --map-group --wd --root -w -R -S -G"
		else if (cmd == "exec")
			args = "-a"
		else if (cmd == "setpriv")
			args = "--reuid --regid --groups --inh-caps --ambient-caps --bounding-set " \
			       "--securebits --pdeathsig --selinux-label --apparmor-profile"
		else if (cmd == "taskset" || cmd == "chrt" || cmd == "flock" || cmd == "watch" ||
			 cmd == "strace" || cmd == "valgrind")
			args = "-n -o -e -E -w -s"
		for (; j <= n; j++) {
			o = W[j]
			if (o == "S--") {
				j++
				break
			}
			if (cmd == "env" && o ~ /^[SD][A-Za-z_][A-Za-z0-9_]*=/)
				continue
			if ((cmd == "taskset" || cmd == "chrt") && o ~ /^S-[a-z]*p/)
				return -1
			if (o !~ /^[SD]-/)
				break
			if (opt_arg(substr(o, 2), args))
				j++
		}
		# then a positional argument before the command
		if (cmd == "timeout" || cmd == "taskset" || cmd == "chrt" || cmd == "flock")
			j++
		return j <= n ? j : -1
	}
	return -1
}

# ---- purposes ------------------------------------------------------------------------------

function edge(from, to)
{
	if (!((from, to) in edges)) {
		edges[from, to] = 1
		callers[to] = callers[to] "\003" from
	}
}

# propagate: a file's top level runs for its purpose and for those of the files sourcing it; a
# function for its callers' (its file's, if nobody calls it)
function propagate(    f, i, k, changed2, ctx, c, nc, cl2, p)
{
	for (f = 1; f <= nfiles; f++)
		add_purposes(files[f], fpurpose[files[f]])
	for (f = 1; f <= nfiles; f++)
		for (i = 1; i <= nsrc[files[f]]; i++)
			edge(files[f], src[files[f], i])
	for (k in funcs)
		if (callers[k] == "")
			add_purposes(k, fpurpose[substr(k, 1, index(k, SUBSEP) - 1)])
	do {
		changed2 = 0
		for (ctx in callers) {
			nc = split(substr(callers[ctx], 2), cl2, "\003")
			for (c = 1; c <= nc; c++) {
				p = cl2[c]
				if (add_purposes(ctx, ctx_purposes(p)))
					changed2 = 1
			}
		}
	} while (changed2)
}

function add_purposes(ctx, list,    n, a, i, added)
{
	added = 0
	n = split(list, a, ",")
	for (i = 1; i <= n; i++) {
		if (a[i] == "" || (ctx, a[i]) in has_purpose)
			continue
		has_purpose[ctx, a[i]] = 1
		purp[ctx] = purp[ctx] (purp[ctx] == "" ? "" : ",") a[i]
		added = 1
	}
	return added
}

function ctx_purposes(ctx)
{
	return purp[ctx]
}
