/* nop: the smallest useful static program, exec'd by the fork+exec benchmarks. */
int main(void)
{
	return 0;
}
