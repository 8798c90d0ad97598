"""Files beside other people's: reading what someone else put there, writing safely, sharing, settings, plain failures."""
