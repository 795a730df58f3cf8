/*
 * cmd_picture.h - the picture commands (cmd_picture.c): filters and
 * samples draw a model as tiles, plot draws a train --log file.  They
 * share the CLI's context and exit codes (cli.h); their own header keeps
 * them out of the list of the model and run commands.
 */
#ifndef RBM_CMD_PICTURE_H
#define RBM_CMD_PICTURE_H

#include "cli.h"

int cmd_filters(struct ctx *c);
int cmd_samples(struct ctx *c);
int cmd_plot(struct ctx *c);

#endif
