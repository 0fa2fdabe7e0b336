enum _EngineServerPlaceholder {}
