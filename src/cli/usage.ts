// The usage text of `mnlint` and the usage error: what `--help` prints and
// what a wrong command line throws (main.ts turns it into exit status 2).
// Apart from the commands so that the text reads as one page.

export const USAGE = `usage: mnlint <command> [options] [PATH...]

commands:
  check [PATH...]       analyze C files and directories (default .) and report findings
  inventory [PATH...]   list notifier ops tables, their callbacks and the callbacks' facts;
                        with --survey, a markdown table of every notifier user (callbacks, non-blockable
                        handling, read side, two-pass, lifetime, findings)
  rules [--levels]      list the rules; with --levels, the API levels instead: id, the kernels it stands
                        for, what changed and the commit that changed it (--format json too)
  explain RULE          print a rule's documentation
  patch FILE...|-       review a unified diff, a git format-patch mail or an mbox series (the files
                        of one series, in any order, are one series ordered by [PATCH vN M/T]);
                        with --tree DIR, each patch is applied in order and the touched drivers analyzed;
                        with --repo DIR, against the base the mails name (base-commit:, with the
                        prerequisite-patch-id: patches among the inputs applied first), else the blobs
                        of their index lines, else the work tree
  git RANGE             review each commit of a range (A..B, or one commit) against its parent
  checklist MBOX|RANGE  the pre-send checklist of a series (markdown; --format json, b4), with --repo DIR
                        for Fixes:, subject prefixes and MAINTAINERS, --previous MBOX|RANGE for dropped trailers
  watch --public-inbox DIR --outbox DIR
                        review each new series touching notifier code in a public-inbox v2 archive
                        and write the replies to the outbox (state kept in --state FILE)
  hook install          write the repository's git send-email sendemail-validate hook: each outgoing
                        patch gets the checklist, and a failing item stops the send
  kbuild [FLAGS] FILE.c  what kbuild's CHECK runs (make C=1 CHECK="mnlint kbuild"): the compiler's -D, -U,
                        -I and -include decide each #if with the build's autoconf.h; findings on stderr as
                        sparse prints them; exit 0 unless --fail-on LEVEL comes before the flags
  model explore [PATH...]
                        run the reference model's explorer on the notifiers of each file and print the
                        invariant violations with their traces

options:
  --format FORMAT       check: text (default), terse, json, sarif, rdjsonl, html; patch, git: those but
                        html, checkpatch (the bare checkpatch block) and email; --terse, --no-summary,
                        --show-types as in checkpatch (types are always shown);
                        inventory: text, json; rules (and --levels): text, json; checklist: markdown, json, b4
  --fail-on LEVEL       exit 1 on findings at or above error (default), warning, info; never
  --rule ID             run only this rule (repeatable)
  --tree DIR            patch: the kernel tree the series applies to
  --repo DIR            git, checklist, hook: the repository (default .); patch, checklist: where the
                        mails' base commit and blobs are looked for (never its work tree or index)
  --filter MODE         patch, git, checklist: new (default: what the post-image has and the pre-image
                        has not, wherever it sits), added, diff_context, file, nofilter
                        (patch and git exit 2 only when no patch could be reviewed; problems are named on stderr)
  --output-dir DIR      patch --format email: one .eml reply per patch in DIR instead of an mbox on stdout
  --kernel VERSION      check against this kernel's API (4.19 to 7.1: 6.12, 5.4...); default: detected from
                        the tree's include/linux/mmu_notifier.h (which ops members and range fields it
                        declares) and its Makefile's version, else the newest level
  --api LEVEL           check against an API level by name (see \`mnlint rules --levels\`), e.g. two-pass-v2
  --config FILE         check, patch, git: a JSON file turning rules off or changing their severity,
                        excluding path prefixes, fixing the kernel version (see the README)
  --sarif-root DIR      sarif: URIs relative to DIR (default: the git top of the scanned tree)
  --jobs N              parse threads (default: the number of cores for a directory, 1 for files)
  -q, --quiet           no progress line (shown on a terminal while a directory is scanned)
  --no-cache            parse every file (default: reuse the IR of files whose text this build parsed
                        before, kept in $MNLINT_CACHE_DIR, else ~/.cache/mnlint)
  -h, --help            this help
  -v, --version         the version

exit status: 0 no findings at or above --fail-on, 1 findings, 2 usage or input errors`;

export class UsageError extends Error {}

export function fail(message: string): never {
  throw new UsageError(message);
}
