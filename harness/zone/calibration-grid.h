/* The points `stubcompat calibrate` reaches: the union of the calibration
 * suites (scenarios/calibration.scn and every .scn in scenarios/calibration/), so
 * that a cell of a calibrated profile elsewhere can be flagged
 * `uncalibrated point`. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct matrix;
struct matrix_cell;

/* The default calibration suites, in the order calibrate runs them: appended
 * to *paths (strv_push). Returns 0, or -1 when out of memory. */
int calibration_suite_paths(char ***paths, size_t *n);

struct calibration_grid;

/* Loads the grid from the default calibration suites. Returns NULL with the
 * reason in err when one cannot be read. Free with calibration_grid_free. */
struct calibration_grid *calibration_grid_load(char *err, size_t errlen);
void calibration_grid_free(struct calibration_grid *g);

/* True when the grid reaches the cell's point: its query type is asked by a
 * calibration suite, and each swept parameter of m has a value the grid
 * sweeps (numeric parameters: within the smallest and largest value swept;
 * a parameter the grid never sweeps: its calibration default). Parameters a
 * suite fixes with `set` are not checked. */
bool calibration_grid_covers(const struct calibration_grid *g, const struct matrix *m,
                             const struct matrix_cell *c);
