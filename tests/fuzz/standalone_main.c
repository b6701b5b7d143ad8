/* SPDX-License-Identifier: MIT
 * standalone_main - run a libFuzzer entry point over corpus files, without
 * libFuzzer: the regression runner that the ordinary (gcc, sanitizer) build
 * uses so that every seed and every past crash input is replayed by CTest.
 *
 * Usage: fuzz_NAME FILE-OR-DIRECTORY...  (a directory: every file in it)
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* run_file - feed one file to the entry point */
static int run_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *data;
    long size;

    if (fp == NULL || fseek(fp, 0, SEEK_END) < 0 || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) < 0) {
        perror(path);
        if (fp != NULL)
            fclose(fp);
        return -1;
    }
    data = malloc((size_t)size + 1);
    if (data == NULL || fread(data, 1, (size_t)size, fp) != (size_t)size) {
        perror(path);
        free(data);
        fclose(fp);
        return -1;
    }
    fclose(fp);
    LLVMFuzzerTestOneInput(data, (size_t)size);
    free(data);
    return 0;
}

/* run_path - a file, or every regular file of a directory */
static int run_path(const char *path, int *count)
{
    struct stat st;
    struct dirent *e;
    char child[4096];
    DIR *d;
    int rc = 0;

    if (stat(path, &st) < 0) {
        perror(path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        (*count)++;
        return run_file(path);
    }
    if ((d = opendir(path)) == NULL) {
        perror(path);
        return -1;
    }
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
        if (run_path(child, count) < 0)
            rc = -1;
    }
    closedir(d);
    return rc;
}

int main(int argc, char **argv)
{
    int i, count = 0, rc = 0;

    for (i = 1; i < argc; i++)
        if (run_path(argv[i], &count) < 0)
            rc = 1;
    if (count == 0) {
        fprintf(stderr, "%s: no corpus files given\n", argv[0]);
        return 1;
    }
    printf("%d passed, 0 failed\n", count);
    return rc;
}
