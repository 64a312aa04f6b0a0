/*
 * layer_check.c - the main() of the executables that link one layer of
 * the host alone (host/CMakeLists.txt): it calls nothing, so that every
 * symbol the layer's objects need must come from the layers below it.
 */
int main(void)
{
	return 0;
}
