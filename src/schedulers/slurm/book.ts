// The book is shared by the batch adapters; this path stays for the commands that import it.
export { JobBook } from '../batch/book.js';
