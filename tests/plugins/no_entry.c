/*
 * no_entry.c - a shared object that is not a spincim plug-in (no entry point).
 */
__attribute__((visibility("default"))) int not_a_plugin(void)
{
    return 0;
}
