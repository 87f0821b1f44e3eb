package interventions

// GlobalStats exposes globalStats to the external tests.
var GlobalStats = globalStats
