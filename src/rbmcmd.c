/*
 * rbmcmd.c - main: the table of commands, option parsing and help.
 *
 *     rbmcmd STATE COMMAND [ARGS...] [OPTIONS]
 *
 * Every command has one signature and one row in the table below; the
 * help texts are generated from it, from the option table in cli.c and
 * from the table of training settings (settings.c), so they cannot drift
 * from what is accepted.  The commands themselves live in cmd_*.c and the
 * math in the library; nothing here computes.  src/README says which
 * file is which.  Exit status: 0 success, 1 runtime failure, 2 usage
 * error.
 *
 * Adding a command:
 *  1. Write `int cmd_NAME(struct ctx *c)` in the cmd_*.c file of its
 *     group (a new group is a new cmd_GROUP.c in Makefile.am's
 *     src_rbmcmd_SOURCES) and declare it in cli.h, or cmd_picture.h for
 *     a picture command.  It checks its positional arguments with
 *     cli_arg_count and the like, calls the library, prints on stdout,
 *     and returns EXIT_OK, or EXIT_FAIL / EXIT_USAGE after cli_fail /
 *     cli_usage.  The library part goes into a library module, which
 *     never prints.
 *  2. Add its row to commands[] below: name, handler, the numbers of
 *     positional arguments, their synopsis, the OPT() mask of the options
 *     it takes (a new option is an O_* id in cli.h and a row of
 *     cli_options[] in cli.c; a new training setting is a row of
 *     settings.c instead), a summary, and its flags: CMD_NEW_MODEL or
 *     CMD_TRAINS to take the training settings, CMD_LOADS to find the
 *     state loaded in c->s (for a command that only reads it),
 *     CMD_NO_STATE when it is written without STATE.  Help, completion
 *     and option parsing follow.
 *  3. Document it in man/rbmcmd.1 (tests/man.sh fails until the page
 *     names the command and each of its options) and in the README's
 *     list of commands.
 *  4. Test it: a shell test of its output and of each error (exact
 *     message, exit status; tests/errors.tab holds the plain ones), and a
 *     Check test for its library part.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_version.h>

#include "cli.h"
#include "cmd_picture.h"
#include "guard.h"
#include "image.h"
#include "linalg.h"
#include "mistakes.h"

/* The commands, in the order of the help; see "Adding a command" above. */
static const struct command commands[] = {
	{ "init", cmd_init, 2, 3, "NUM_VISIBLE NUM_HIDDEN [LEARNING_RATE]",
	  OPT(O_SEED) | OPT(O_VISIBLE),
	  "create a model with random weights (never overwrites a file "
	  "that is not a state file)", CMD_NEW_MODEL },
	{ "train", cmd_train, 1, 2, "MAX_EPOCHS [LEARNING_RATE] < ROWS",
	  OPT(O_SEED) | OPT(O_DATA_BIAS) | OPT(O_NO_DATA_BIAS) |
	  OPT(O_LOGLIK_EVERY) | OPT(O_AVERAGE_EVERY) | OPT(O_DATA) |
	  OPT(O_VALIDATION) |
	  OPT(O_LOG) | OPT(O_VERBOSE) | OPT(O_QUIET) | OPT(O_MISSING),
	  "train on visible rows from stdin, continuing from the saved "
	  "state", CMD_TRAINS },
	{ "run_visible", cmd_run_visible, 0, 0, "< VISIBLE_ROWS",
	  OPT(O_SEED) | OPT(O_PROBS) | OPT(O_PRECISION) | OPT(O_MISSING),
	  "print a sampled hidden row for each visible row", 0 },
	{ "run_hidden", cmd_run_hidden, 0, 0, "< HIDDEN_ROWS",
	  OPT(O_SEED) | OPT(O_PROBS) | OPT(O_PRECISION),
	  "print a sampled visible row for each hidden row", 0 },
	{ "daydream_trace", cmd_daydream_trace, 1, 1, "NUM_SAMPLES",
	  OPT(O_SEED) | OPT(O_PRECISION),
	  "print every state of one Gibbs chain started from random "
	  "probabilities", 0 },
	{ "daydream", cmd_daydream, 2, 2, "NUM_SAMPLES NUM_DREAMS",
	  OPT(O_SEED) | OPT(O_PROBS) | OPT(O_PRECISION),
	  "print the last state of each of NUM_DREAMS chains of NUM_SAMPLES "
	  "states", 0 },
	{ "import", cmd_import, 0, 0, "< PARAMETER_FILE",
	  OPT(O_SEED) | OPT(O_VISIBLE),
	  "create a state file from a plain parameter file or the original "
	  "Python rbmcmd's pickle (never overwrites a file that is not a "
	  "state file)", CMD_NEW_MODEL },
	{ "export", cmd_export, 0, 0, "> PARAMETER_FILE", 0,
	  "print the weights and biases as a plain parameter file", CMD_LOADS },
	{ "info", cmd_info, 0, 0, "", 0,
	  "describe the model: sizes, training parameters and state, "
	  "history, weight statistics", CMD_LOADS },
	{ "weights", cmd_weights, 0, 0, "", OPT(O_NAMES),
	  "print the weights and biases as a table with unit names", CMD_LOADS },
	{ "free_energy", cmd_free_energy, 0, 0, "< VISIBLE_ROWS",
	  OPT(O_MISSING) | OPT(O_PRECISION),
	  "print the free energy F(v) of each visible row", 0 },
	{ "reconstruct", cmd_reconstruct, 0, 0, "< VISIBLE_ROWS",
	  OPT(O_MISSING) | OPT(O_PRECISION),
	  "print p(v|h) at h = p(h|v) for each visible row", 0 },
	{ "recommend", cmd_recommend, 0, 0, "< VISIBLE_ROWS",
	  OPT(O_MISSING) | OPT(O_TOP) | OPT(O_NAMES) | OPT(O_PRECISION),
	  "fill in each row's missing values with their predictions, or "
	  "list its best missing items", 0 },
	{ "loglik", cmd_loglik, 0, 0, "< VISIBLE_ROWS",
	  OPT(O_SEED) | OPT(O_EXACT_MAX) | OPT(O_AIS) | OPT(O_AIS_RUNS) |
	  OPT(O_AIS_STEPS) | OPT(O_AIS_BASE) | OPT(O_AIS_METHOD) |
	  OPT(O_RAISE) |
	  OPT(O_PRECISION),
	  "print the rows' average log-likelihood and log Z (exact or by "
	  "AIS)", 0 },
	{ "filters", cmd_filters, 0, 0, "-o FILE.png",
	  OPT(O_OUTPUT) | OPT(O_SHAPE) | OPT(O_GRID) | OPT(O_UNITS) |
	  OPT(O_ZOOM) | OPT(O_CONTRAST),
	  "draw each hidden unit's weights as a tile of a PNG picture", 0 },
	{ "samples", cmd_samples, 2, 2, "NUM_SAMPLES NUM_DREAMS -o FILE.png",
	  OPT(O_SEED) | OPT(O_OUTPUT) | OPT(O_SHAPE) | OPT(O_GRID) |
	  OPT(O_ZOOM),
	  "draw where NUM_DREAMS daydream chains end up as tiles of a PNG "
	  "picture", 0 },
	{ "plot", cmd_plot, 1, 1, "LOGFILE -o FILE.png",
	  OPT(O_OUTPUT),
	  "draw the curves of a train --log file as a PNG picture (written "
	  "without STATE)", CMD_NO_STATE },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The command names, for suggestions (mistakes.h). */
static const char *const *command_names(void)
{
	static const char *names[NCOMMANDS];
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i].name;
	return names;
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int is_command(const char *name)
{
	return find_command(name) != NULL;
}

/* ---- help ---- */

/* The space between a command and its arguments, if it has any. */
static const char *space(const char *args)
{
	return *args ? " " : "";
}

#define HELP_COLUMNS 80	/* help lines are at most this wide */

/*
 * Write text from column col (where the caller has left the cursor),
 * wrapped at spaces to HELP_COLUMNS, each further line indented to
 * column indent; ends the line.
 */
static void wrap(FILE *f, const char *text, int col, int indent)
{
	int first = 1;	/* the first word of a line goes where it is */

	while (*text) {
		int len = (int)strcspn(text, " ");

		if (!first && col + 1 + len > HELP_COLUMNS) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', f);
			col++;
		}
		first = 0;
		fprintf(f, "%.*s", len, text);
		col += len;
		text += len;
		text += strspn(text, " ");
	}
	fputc('\n', f);
}

static void print_help(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s STATE COMMAND [ARGS...] [OPTIONS]\n"
		   "       %s --help | --version | help COMMAND\n\n"
		   "Train and run a restricted Boltzmann machine kept in the "
		   "file STATE.\nRows are whitespace-separated numbers, one "
		   "example per line.\n\nCommands:\n", PROG, PROG);
	for (i = 0; i < NCOMMANDS; i++) {
		fprintf(f, "  %-15s ", commands[i].name);
		if (*commands[i].args)	/* the summary on the next line */
			fprintf(f, "%s\n%18s", commands[i].args, "");
		wrap(f, commands[i].summary, 18, 18);
	}
	fprintf(f, "\nExit status: 0 success, 1 failure (bad input, I/O, "
		   "numerical), 2 usage error;\n130 or 143: train stopped "
		   "by SIGINT or SIGTERM, its progress saved.\nSee rbmcmd(1) "
		   "for the formats and examples, rbmcmd-training(7) for the "
		   "methods.\n");
}

/* "--name=a|b|c" for an option with a list of values. */
static void choice_list(char *buf, size_t len, const struct cli_optdef *o)
{
	size_t i, n = (size_t)snprintf(buf, len, "--%s=", o->name);

	for (i = 0; o->choices[i] && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s", i ? "|" : "",
				      o->choices[i]);
}

static void print_command_help(const struct command *cmd)
{
	struct cli_optdef d;
	char left[64], help[256], text[256];
	int i, off;

	printf("Usage: %s %s%s%s%s [OPTIONS]\n\n", PROG,
	       cli_state_word(cmd), cmd->name, space(cmd->args), cmd->args);
	snprintf(text, sizeof(text), "%c%s.",
		 toupper((unsigned char)cmd->summary[0]), cmd->summary + 1);
	wrap(stdout, text, 0, 0);
	printf("\nOptions:\n");
	for (i = 0; i < NOPTS; i++)
		for (off = 0; off < 2; off++) {
			const struct cli_optdef *o = &d;
			if (!cli_accepts(cmd, i) || !cli_option_def(i, off, &d))
				continue;
			snprintf(left, sizeof(left), "--%s%s%s", o->name,
				 o->arg ? "=" : "", o->arg ? o->arg : "");
			if (o->choices)	/* the values, for people, completion */
				choice_list(left, sizeof(left), o);
			cli_option_help(i, off, help, sizeof(help));
			if (strlen(left) > 22)	/* the help on a line of its own */
				printf("  %s\n%25s", left, "");
			else
				printf("  %-22s ", left);
			wrap(stdout, help, 25, 25);
		}
}

static void print_version(void)
{
	const char *png = rbm_image_png_version();
	struct rbm_linalg_info li;

#ifdef HAVE_MPI
	const char *mpi = "MPI (train under mpirun or srun)";
#else
	const char *mpi = "no MPI";
#endif

	rbm_linalg_info(&li);
	printf("%s %s\nCBLAS: %s; GSL %s; %s; %s\n", PROG, PACKAGE_VERSION,
	       RBM_CBLAS_NAME, gsl_version, png ? png : "no PNG support",
	       mpi);
	printf("Products: %s%s%s%s, one thread a block; binary kernels: %s; "
	       "threads: %zu\n", li.blas, *li.core ? " (kernel " : "",
	       li.core, *li.core ? ")" : "", li.kernel, li.threads);
	if (*li.config)
		printf("BLAS build: %s\n", li.config);
}

/*
 * Under --verbose: say once when OpenBLAS runs kernels that ignore the
 * CPU's AVX2 or AVX-512, and which variable picks better ones.
 */
static void warn_generic_blas(const struct ctx *c)
{
	struct rbm_linalg_info li;

	rbm_linalg_info(&li);
	if (li.generic)
		fprintf(stderr, "%s: %s: warning: OpenBLAS runs its %s "
			"kernels, which do not use this CPU's %s; products "
			"may be up to 2x faster with OPENBLAS_CORETYPE="
			"Haswell%s in the environment\n", PROG, c->cmd->name,
			li.core, li.cpu_simd,
			strcmp(li.cpu_simd, "AVX-512") == 0 ?
			" (or SkylakeX)" : "");
}

/* ---- option parsing ---- */

/* In getopt's val: the --no-NAME switch of setting option (val & ~OFF_BIT). */
#define OFF_BIT 0x1000
_Static_assert(NOPTS < OFF_BIT && 'h' < OFF_BIT, "OFF_BIT is above every id");
_Static_assert(NOPTS < ':', "getopt's ':' and '?' are no option's id");

/*
 * Parse the command's options (anywhere after COMMAND) into c->opt and
 * leave the positional arguments in c->argc/argv; 0 or EXIT_USAGE.
 */
static int parse_options(struct ctx *c, int argc, char **argv)
{
	struct option lo[2 * NOPTS + 1];
	struct cli_optdef d;
	int i, n = 0, id, off;

	memset(lo, 0, sizeof(lo));
	for (i = 0; i < NOPTS; i++)
		for (off = 0; off < 2; off++)	/* val: the id, OFF_BIT */
			if (cli_accepts(c->cmd, i) && cli_option_def(i, off, &d))
				lo[n++] = (struct option){ d.name, d.arg ?
					required_argument : no_argument, NULL,
					i | (off ? OFF_BIT : 0) };
	opterr = 0;
	optind = 1;
	while ((id = getopt_long(argc, argv, cli_accepts(c->cmd, O_OUTPUT) ?
				 ":ho:" : ":h", lo, NULL)) != -1) {
		int rc;
		if (id == 'h')
			id = O_HELP;
		if (id == 'o')
			id = O_OUTPUT;
		if (id == '?' || id == ':')	/* ':' a value missing */
			return cli_option_error(c, argc, argv, id == ':');
		rc = cli_set_option(c, id & ~OFF_BIT, (id & OFF_BIT) != 0,
				    optarg);
		if (rc)
			return rc;
	}
	c->argc = argc - optind;
	c->argv = argv + optind;
	return 0;
}

/*
 * The GSL errors left are programming errors; report, do not abort.  An
 * allocation that fails returns NULL, and its caller says "out of memory"
 * with the context, so that one is not reported twice.
 */
static void gsl_handler(const char *reason, const char *file, int line,
			int gsl_errno)
{
	if (gsl_errno == GSL_ENOMEM)
		return;
	fprintf(stderr, "%s: GSL error %d: %s (%s:%d)\n", PROG, gsl_errno,
		reason, file, line);
}

/* Handle "--help", "--version" and "help [COMMAND]"; -1 if not one. */
static int global_request(int argc, char **argv)
{
	const struct command *cmd;

	if (strcmp(argv[1], "--version") == 0) {
		print_version();
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--help") && strcmp(argv[1], "-h") &&
	    strcmp(argv[1], "help"))
		return -1;
	if (argc < 3) {
		print_help(stdout);
		return EXIT_OK;
	}
	cmd = find_command(argv[2]);
	if (!cmd)
		return cli_unknown_command(argv[2], command_names(), NCOMMANDS);
	print_command_help(cmd);
	return EXIT_OK;
}

/*
 * The command of "rbmcmd NAME ARGS...", written without STATE: NAME must
 * be such a command and ARGS[0] not a command name (so a state file named
 * "plot" still works); NULL otherwise.
 */
static const struct command *stateless_command(int argc, char **argv)
{
	const struct command *cmd = find_command(argv[1]);

	if (!cmd || !(cmd->flags & CMD_NO_STATE) ||
	    (argc > 2 && find_command(argv[2])))
		return NULL;
	return cmd;
}

/* Run c's command with the setup its flags ask for. */
static int run_command(struct ctx *c)
{
	int rc;

	if (c->unusable) {
		cli_say(c, "%s", c->unusable);
		return EXIT_FAIL;
	}
	if ((c->cmd->flags & CMD_LOADS) && !(c->s = cli_load(c)))
		return EXIT_FAIL;
	rc = c->cmd->run(c);
	rbm_state_free(c->s);
	c->s = NULL;
	return rc;
}

/*
 * Run a command written without STATE: the steps of dispatch's end, one
 * word earlier.  Kept apart so that the common path stays as it is.
 */
static int run_stateless(struct ctx *c, int argc, char **argv)
{
	int rc = parse_options(c, argc - 1, argv + 1);

	if (rc)
		return rc;
	if (c->opt[O_HELP].given) {
		print_command_help(c->cmd);
		return EXIT_OK;
	}
	if (c->argc < c->cmd->min_args || c->argc > c->cmd->max_args)
		return cli_usage(c, "wrong number of arguments (usage: %s %s "
				 "%s)", PROG, c->cmd->name, c->cmd->args);
	return run_command(c);
}

/*
 * Parse the command line into c (zeroed by the caller, who may have set
 * c->unusable) and run what it asks; the exit status.  c->cmd is left
 * set for main's last message.
 */
static int dispatch(struct ctx *c, int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	cli_hoist_options(argc, argv, is_command);
	rc = global_request(argc, argv);
	if (rc >= 0)
		return rc;
	if ((c->cmd = stateless_command(argc, argv)))
		return run_stateless(c, argc, argv);
	if (argc < 3)
		return cli_usage(NULL, "missing command after '%s'", argv[1]);
	if (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0) {
		print_help(stdout);
		return EXIT_OK;
	}
	c->state = argv[1];
	c->cmd = find_command(argv[2]);
	if (!c->cmd)
		return cli_command_error(argc, argv, command_names(),
					 NCOMMANDS);
	if (c->cmd->flags & CMD_NO_STATE)
		return cli_usage(c, "takes no STATE (usage: %s %s %s)", PROG,
				 c->cmd->name, c->cmd->args);
	rc = parse_options(c, argc - 2, argv + 2);
	if (rc)
		return rc;
	if (c->opt[O_HELP].given) {
		print_command_help(c->cmd);
		return EXIT_OK;
	}
	if (c->argc > c->cmd->max_args &&
	    (rc = cli_rows_hint(c, c->argv[c->cmd->max_args])))
		return rc;
	if (c->argc < c->cmd->min_args || c->argc > c->cmd->max_args)
		return cli_usage(c, "wrong number of arguments (usage: %s "
				 "STATE %s%s%s)", PROG, c->cmd->name,
				 space(c->cmd->args), c->cmd->args);
	if (c->opt[O_VERBOSE].given)
		warn_generic_blas(c);
	return run_command(c);
}

/*
 * Open /dev/null on each of the standard descriptors that the caller left
 * closed (rbmcmd ... >&-), so that no file opened later (the lock, a
 * temporary save, the state file) becomes stdin, stdout or stderr and
 * takes rows read or lines printed meant for them.  stdin gets it
 * write-only and stdout and stderr read-only, so that reading and
 * writing them still fail as they would have.
 */
static void guard_std_fds(void)
{
	static const int modes[] = { O_WRONLY, O_RDONLY, O_RDONLY };
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && errno == EBADF &&
		    open("/dev/null", modes[fd] | O_NOCTTY) != fd)
			_exit(EXIT_FAIL);	/* cannot even say so */
}

/*
 * The command named in argv, before the options are parsed: for the
 * BLAS guard's watchdog, which may have to speak before dispatch knows.
 * STATE COMMAND first, then a stateless command, then any command word;
 * NULL if none.
 */
static const char *guess_command(int argc, char **argv)
{
	int i;

	if (argc > 2 && is_command(argv[2]))
		return argv[2];
	for (i = 1; i < argc; i++)
		if (is_command(argv[i]))
			return argv[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static char outbuf[1 << 16];
	struct rbm_err err;
	struct ctx c;
	int rc;

	guard_std_fds();
	/* A write past ulimit -f then fails with EFBIG, which every output
	 * reports ("cannot save STATE: File too large"), instead of killing
	 * the process with SIGXFSZ. */
	signal(SIGXFSZ, SIG_IGN);
	memset(&c, 0, sizeof(c));
	gsl_set_error_handler(gsl_handler);
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	/* A failed guard stops every command, but not help, --version or
	 * a usage error, which use no BLAS: run_command says why. */
	if (rbm_guard_blas(argv, guess_command(argc, argv), &err) < 0)
		c.unusable = err.msg;
	rc = dispatch(&c, argc, argv);
	/* A command that streams has said so already (cli_flush). */
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) {
		if (rc == EXIT_OK)
			cli_say(&c, "write error: %s",
				errno ? strerror(errno) : "stdout failed");
		rc = EXIT_FAIL;
	}
	if (c.unusable) {
		fflush(stderr);
		_exit(rc);	/* not exit: see guard.h */
	}
	return rc;
}
