from parking_desk.cli import main

raise SystemExit(main())
