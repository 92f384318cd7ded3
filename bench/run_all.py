"""Run every benchmark in turn (make bench)."""
from bench import areas, dispatch, employer_import, grid_edits, hotspots, partition, restart, seed

if __name__ == "__main__":
    restart.main()
    areas.main()
    seed.main(1_000_000)
    employer_import.main(100_000)
    dispatch.main(30)
    partition.main(20_000, 100)
    grid_edits.main()
    hotspots.main(1_000_000)
