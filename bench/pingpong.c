/*
 * pingpong.c - the link between MPI ranks 0 and 1, for bench/scale's cost
 * model: the one-way time of a message of BYTES bytes (half the mean
 * round trip over REPS round trips after two unmeasured ones).  Prints
 * "BYTES SECONDS" on rank 0.  Built by bench/scale with mpicc; not part
 * of rbmcmd.
 *
 * usage: mpirun -n 2 pingpong [BYTES [REPS]]   defaults: 8 100
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 8;
	int reps = argc > 2 ? atoi(argv[2]) : 100, rank, i;
	double t0 = 0;
	char *buf;

	/* The link as rbmcmd's ranks see it: they poll yielding their
	 * core (src/dist_mpi.c), unless the user sets otherwise. */
	setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0);
	MPI_Init(&argc, &argv);
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	if (reps < 1 || n > (size_t)1 << 30 || !(buf = calloc(n + 1, 1)))
		MPI_Abort(MPI_COMM_WORLD, 2);
	for (i = -2; i < reps; i++) {
		if (i == 0) {
			MPI_Barrier(MPI_COMM_WORLD);
			t0 = MPI_Wtime();
		}
		if (rank == 0) {
			MPI_Send(buf, (int)n, MPI_CHAR, 1, 0, MPI_COMM_WORLD);
			MPI_Recv(buf, (int)n, MPI_CHAR, 1, 0, MPI_COMM_WORLD,
				 MPI_STATUS_IGNORE);
		} else if (rank == 1) {
			MPI_Recv(buf, (int)n, MPI_CHAR, 0, 0, MPI_COMM_WORLD,
				 MPI_STATUS_IGNORE);
			MPI_Send(buf, (int)n, MPI_CHAR, 0, 0, MPI_COMM_WORLD);
		}
	}
	if (rank == 0)
		printf("%zu %.9f\n", n, (MPI_Wtime() - t0) / reps / 2);
	free(buf);
	MPI_Finalize();
	return 0;
}
