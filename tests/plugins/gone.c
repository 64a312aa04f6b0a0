/*
 * gone.c - a library that missing_dep links against and that is not
 * where the dynamic loader looks: loading missing_dep must fail.
 */
int peil_gone_answer(void);

int peil_gone_answer(void)
{
	return 42;
}
