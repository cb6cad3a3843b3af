/* The urgency model's character n-gram lookups, compiled (see bot/classifier.py).

   `LinearModel.score` finds which of a message's character 3-, 4- and 5-grams carry a weight.
   In numpy that is some twenty array calls per message (codes, sort, distinct, binary search,
   mask), and in a pass over many messages each finds its data out of the caches: a fifth of a
   long question's answer time. Here one loop computes each n-gram's code, looks it up in an
   open-addressing table (one cache line per lookup, and lookups do not wait on each other),
   and marks the n-gram's place in the sorted code array; the marks, read in order, are the
   same ascending positions the numpy code finds. The numpy code stays as the fallback and as
   the reference the tests compare this with.

   Codes are as `_ngram_codes` makes them: the length n, then 6 bits per character. */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BITS 6
#define MIN_N 3
#define MAX_N 5
#define EMPTY (-1)

typedef struct {
    int64_t code;
    int64_t position; /* in the sorted code array */
} Slot;

static const uint64_t SPREAD = 0x9E3779B97F4A7C15ULL; /* Fibonacci hashing */

static Py_ssize_t slot_of(int64_t code, int shift) {
    return (Py_ssize_t)(((uint64_t)code * SPREAD) >> shift);
}

/* table(codes: int64 buffer, bits: int) -> bytes: the slots, 2**bits of them. */
static PyObject *table(PyObject *self, PyObject *args) {
    Py_buffer codes;
    int bits;
    if (!PyArg_ParseTuple(args, "y*i", &codes, &bits)) {
        return NULL;
    }
    Py_ssize_t count = codes.len / (Py_ssize_t)sizeof(int64_t);
    if (bits < 1 || bits > 30 || ((Py_ssize_t)1 << bits) < 2 * count) {
        PyBuffer_Release(&codes);
        PyErr_SetString(PyExc_ValueError, "the table needs at least twice as many slots as codes");
        return NULL;
    }
    Py_ssize_t size = (Py_ssize_t)1 << bits;
    PyObject *result = PyBytes_FromStringAndSize(NULL, size * (Py_ssize_t)sizeof(Slot));
    if (result == NULL) {
        PyBuffer_Release(&codes);
        return NULL;
    }
    Slot *slots = (Slot *)PyBytes_AS_STRING(result);
    for (Py_ssize_t k = 0; k < size; k++) {
        slots[k].code = EMPTY;
        slots[k].position = EMPTY;
    }
    const int64_t *code = (const int64_t *)codes.buf;
    int shift = 64 - bits;
    for (Py_ssize_t p = 0; p < count; p++) {
        Py_ssize_t k = slot_of(code[p], shift);
        while (slots[k].code != EMPTY) {
            k = (k + 1) & (size - 1);
        }
        slots[k].code = code[p];
        slots[k].position = p;
    }
    PyBuffer_Release(&codes);
    return result;
}

/* positions(text: bytes, symbols: bytes of 256, slots: bytes, count: int) -> bytes: the
   ascending positions (int64) of the text's distinct n-grams that the table holds. */
static PyObject *positions(PyObject *self, PyObject *args) {
    Py_buffer text, symbols, table;
    Py_ssize_t count;
    if (!PyArg_ParseTuple(args, "y*y*y*n", &text, &symbols, &table, &count)) {
        return NULL;
    }
    PyObject *result = NULL;
    Py_ssize_t size = table.len / (Py_ssize_t)sizeof(Slot);
    int bits = 0;
    while (((Py_ssize_t)1 << bits) < size) {
        bits++;
    }
    if (symbols.len != 256 || size < 1 || ((Py_ssize_t)1 << bits) != size || count < 0) {
        PyErr_SetString(PyExc_ValueError, "symbols must be 256 bytes and the table 2**k slots");
        goto done;
    }
    const Slot *slots = (const Slot *)table.buf;
    const unsigned char *chars = (const unsigned char *)text.buf;
    const unsigned char *symbol = (const unsigned char *)symbols.buf;
    Py_ssize_t words = count / 64 + 1;
    uint64_t *marks = calloc((size_t)words, sizeof(uint64_t));
    if (marks == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    int shift = 64 - bits;
    Py_ssize_t found = 0;
    for (int n = MIN_N; n <= MAX_N; n++) {
        for (Py_ssize_t i = 0; i + n <= text.len; i++) {
            int64_t code = n;
            for (int j = 0; j < n; j++) {
                code = (code << BITS) | symbol[chars[i + j]];
            }
            Py_ssize_t k = slot_of(code, shift);
            /* `table` leaves half the slots empty, so this ends at once; the bound keeps a
               table from elsewhere from making it loop for ever. */
            for (Py_ssize_t probes = 1; slots[k].code != EMPTY && slots[k].code != code;
                 probes++) {
                if (probes == size) {
                    break;
                }
                k = (k + 1) & (size - 1);
            }
            int64_t p = slots[k].position;
            if (slots[k].code == code && p >= 0 && p < count) {
                uint64_t bit = (uint64_t)1 << (p % 64);
                found += (marks[p / 64] & bit) == 0;
                marks[p / 64] |= bit;
            }
        }
    }
    result = PyBytes_FromStringAndSize(NULL, found * (Py_ssize_t)sizeof(int64_t));
    if (result != NULL) {
        int64_t *out = (int64_t *)PyBytes_AS_STRING(result);
        for (Py_ssize_t w = 0; w < words; w++) {
            for (uint64_t rest = marks[w]; rest; rest &= rest - 1) {
                *out++ = (int64_t)(w * 64 + __builtin_ctzll(rest));
            }
        }
    }
    free(marks);
done:
    PyBuffer_Release(&text);
    PyBuffer_Release(&symbols);
    PyBuffer_Release(&table);
    return result;
}

static PyMethodDef methods[] = {
    {"table", table, METH_VARARGS, "table(codes, bits) -> bytes: an open-addressing table."},
    {"positions", positions, METH_VARARGS,
     "positions(text, symbols, table, count) -> bytes: ascending int64 positions found."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "bot._ngrams", "Compiled n-gram lookups of the urgency model.", -1,
    methods,
};

PyMODINIT_FUNC PyInit__ngrams(void) { return PyModule_Create(&module); }
