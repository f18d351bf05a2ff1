from labreview.sample.build import main

raise SystemExit(main())
