"""The agency's own tracks beside the state rule track: credentials (``credentials``) and
policy acknowledgements (``policies``), judged purely from the agency's programme
(``programme``) and the person's facts (``facts``), and one status across the tracks
(``tracks``)."""
